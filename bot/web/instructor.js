/* The instructor page: all sessions, one session in detail, a trainee's progress. */
"use strict";

(() => {
  const { el, getJSON, cueText, renderScorecard, formatDate, RequestError, loadAccount,
    sessionTitle, getPage } = Rehearsal;
  const SVG = "http://www.w3.org/2000/svg";
  const PAGE_SIZE = 25;

  const $ = (id) => document.getElementById(id);
  const ui = {
    filters: $("filters"), trainee: $("f-trainee"), persona: $("f-persona"), since: $("f-since"),
    traineeIds: $("trainee-ids"), listStatus: $("list-status"), rows: $("session-rows"),
    progress: $("progress"), progressTrainee: $("progress-trainee"),
    progressChart: $("progress-chart"), progressRows: $("progress-rows"),
    progressHeading: $("progress-h"),
    detail: $("detail"), detailHeading: $("detail-h"), detailMeta: $("detail-meta"),
    detailStatus: $("detail-status"), detailTranscript: $("detail-transcript"),
    detailScorecard: $("detail-scorecard"),
    pagePrev: $("page-prev"), pageNext: $("page-next"), pageInfo: $("page-info"),
  };
  const personaNames = {};
  let page = 0;

  function problem(error, doing) {
    const why = error instanceof RequestError ? error.message : "Something went wrong.";
    return `${doing} did not work. ${why}`;
  }

  function personaName(id) {
    return personaNames[id] || id;
  }

  function totalText(s) {
    if (s.total === null || s.total === undefined) return s.ended_at ? "not scored" : "running";
    return `${s.total} / ${s.max_total || 54}`;
  }

  // -- list ------------------------------------------------------------------------

  async function loadPersonas() {
    try {
      const personas = await getJSON("/api/personas");
      for (const p of personas) {
        personaNames[p.id] = p.name;
        ui.persona.append(el("option", { value: p.id }, `${p.name} (${p.difficulty})`));
      }
    } catch (error) {
      // The list still works with raw persona ids.
    }
  }

  function query(extra) {
    const params = new URLSearchParams(extra || {});
    if (ui.trainee.value.trim()) params.set("trainee", ui.trainee.value.trim());
    if (ui.persona.value) params.set("persona", ui.persona.value);
    if (ui.since.value) params.set("since", ui.since.value);
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  async function loadSessions() {
    ui.listStatus.textContent = "Loading…";
    let newest;
    let total;
    try {
      ({ body: newest, total } = await getPage(`/api/sessions${query({
        order: "newest", limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) })}`));
    } catch (error) {
      ui.listStatus.textContent = problem(error, "Loading the sessions");
      return;
    }
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page >= pages && page > 0) {
      page = pages - 1;
      loadSessions();
      return;
    }
    const first = page * PAGE_SIZE + 1;
    ui.listStatus.textContent = total
      ? `${total} session${total === 1 ? "" : "s"}; showing ${first}–` +
        `${first + newest.length - 1}, newest first.`
      : "No sessions match.";
    ui.pageInfo.textContent = `Page ${page + 1} of ${pages}`;
    ui.pagePrev.disabled = page === 0;
    ui.pageNext.disabled = page + 1 >= pages;
    ui.rows.replaceChildren(...newest.map((s) => el("tr", { dataset: { session: s.session_id } },
      el("td", { dataset: { label: "Started" } },
        el("time", { datetime: s.started_at }, formatDate(s.started_at))),
      el("td", { dataset: { label: "Trainee" } }, el("button", {
        type: "button", className: "link",
        "aria-label": `Show the progress of ${s.trainee}`,
        onclick: () => showProgress(s.trainee),
      }, s.trainee)),
      el("td", { dataset: { label: "Client" } }, personaName(s.persona)),
      el("td", { dataset: { label: "Turns" } }, String(s.turn_count)),
      el("td", { dataset: { label: "Total" } }, totalText(s)),
      el("td", { dataset: { label: "Action plan" } },
        s.plan_agreed ? "agreed" : (s.ended_at ? "not agreed" : "–")),
      el("td", {}, el("button", {
        type: "button", className: "secondary open-session",
        "aria-label": `Open the session of ${s.trainee} with ${personaName(s.persona)}`,
        onclick: () => openSession(s.session_id),
      }, "Open")))));
    if (!ui.traineeIds.children.length || !query()) {
      const ids = [...new Set(newest.map((s) => s.trainee))].sort();
      ui.traineeIds.replaceChildren(...ids.map((id) => el("option", { value: id })));
    }
    if (ui.trainee.value.trim()) showProgress(ui.trainee.value.trim());
    else ui.progress.hidden = true;
  }

  // -- one session -------------------------------------------------------------------

  function cueChips(cues) {
    const chips = [];
    for (const [key, value] of Object.entries(cues || {})) {
      if (value === true) chips.push(key.replace(/_/g, " "));
      else if (typeof value === "string" && value !== "none") {
        chips.push(`${key.replace(/_/g, " ")}: ${value}`);
      }
    }
    return chips;
  }

  function chipList(label, items, className) {
    if (!items.length) return null;
    return el("div", { className: "annot" },
      el("span", { className: "annot-label" }, `${label}: `),
      items.map((t) => el("span", { className: `chip ${className || ""}` }, t)));
  }

  function renderTurn(turn, clientName) {
    const confidence = typeof turn.confidence === "number"
      ? ` (${Math.round(turn.confidence * 100)}%)` : "";
    const entities = (turn.entities || []).map((e) => `${e.entity}: ${e.value}`);
    return el("li", { className: "turn", id: `turn-${turn.n}`, tabindex: "-1",
      dataset: { turn: String(turn.n) } },
      el("div", { className: "msg trainee" },
        el("span", { className: "who" }, `Trainee · turn ${turn.n}`),
        el("p", {}, turn.trainee)),
      el("div", { className: "annotations" },
        el("div", { className: "annot" }, el("span", { className: "annot-label" }, "Intent: "),
          el("code", {}, turn.intent), confidence),
        chipList("Cues", cueChips(turn.cues)),
        chipList("Entities", entities),
        chipList("Events", turn.events || [], "event")),
      el("div", { className: "msg client" },
        el("span", { className: "who" }, clientName),
        el("p", {}, cueText(turn.client))));
  }

  function highlightTurn(n) {
    const item = document.getElementById(`turn-${n}`);
    if (!item) return;
    for (const other of ui.detailTranscript.querySelectorAll(".highlight")) {
      other.classList.remove("highlight");
    }
    item.classList.add("highlight");
    item.scrollIntoView({ block: "center", behavior: "smooth" });
    item.focus({ preventScroll: true });
  }

  async function openSession(sessionId) {
    for (const row of ui.rows.querySelectorAll("tr")) {
      if (row.dataset.session === sessionId) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
    ui.detail.hidden = false;
    ui.detailStatus.textContent = "Loading…";
    ui.detailTranscript.replaceChildren();
    ui.detailScorecard.replaceChildren();
    let session;
    try {
      session = await getJSON(`/api/sessions/${encodeURIComponent(sessionId)}`);
    } catch (error) {
      ui.detailStatus.textContent = problem(error, "Loading the session");
      return;
    }
    const name = personaName(session.persona);
    ui.detailHeading.textContent = sessionTitle(session, name);
    ui.detailMeta.textContent = `Trainee ${session.trainee} with ${name}; started ` +
      `${formatDate(session.started_at)}; ` +
      (session.ended_at ? `ended ${formatDate(session.ended_at)}.` : "not ended yet.") +
      ` Session id ${session.session_id}.`;
    ui.detailStatus.replaceChildren(session.turns.length ? "" : "No turns were stored. ",
      // The client's side turn by turn, with comments on turns (debrief.html).
      el("a", { href: `/app/debrief.html?session=${encodeURIComponent(session.session_id)}` },
        "Open the debrief (comment on turns)"));
    const items = [];
    if (session.opening) {
      items.push(el("li", { className: "turn opening", id: "turn-0", tabindex: "-1" },
        el("div", { className: "msg client" }, el("span", { className: "who" },
          `${name} · opening`), el("p", {}, cueText(session.opening)))));
    }
    items.push(...session.turns.map((t) => renderTurn(t, name)));
    if (session.closing && session.closing.client) {
      items.push(el("li", { className: "turn closing" },
        el("div", { className: "msg client" }, el("span", { className: "who" },
          `${name} · closing`), el("p", {}, cueText(session.closing.client))),
        chipList("Events", session.closing.events || [], "event")));
    }
    ui.detailTranscript.replaceChildren(...items);
    renderScorecard(ui.detailScorecard, session,
      { onEvidence: highlightTurn, audience: "instructor" });
    ui.detail.scrollIntoView({ block: "start" });
    ui.detailHeading.focus({ preventScroll: true });
  }

  // -- progress ----------------------------------------------------------------------

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const child of children) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function chart(points) {
    const width = 640;
    const height = 220;
    const pad = { left: 40, right: 16, top: 14, bottom: 30 };
    const max = Math.max(54, ...points.map((p) => p.max_total || 54));
    const innerW = width - pad.left - pad.right;
    const innerH = height - pad.top - pad.bottom;
    const x = (i) => pad.left + (points.length === 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
    const y = (v) => pad.top + innerH - (v / max) * innerH;
    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": `Total scores of ${points.length} ended rehearsals, oldest to newest: ` +
        points.map((p) => `${p.total}${p.plan_agreed ? " (plan agreed)" : ""}`).join(", "),
    });
    for (const tick of [0, 18, 36, 54]) {
      root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick),
        class: "grid" }));
      root.append(svg("text", { x: pad.left - 8, y: y(tick) + 4, class: "axis",
        "text-anchor": "end" }, String(tick)));
    }
    if (points.length > 1) {
      root.append(svg("polyline", {
        points: points.map((p, i) => `${x(i)},${y(p.total)}`).join(" "), class: "line",
      }));
    }
    points.forEach((p, i) => {
      const dot = svg("circle", { cx: x(i), cy: y(p.total), r: 6,
        class: p.plan_agreed ? "dot agreed" : "dot" });
      dot.append(svg("title", {}, `${formatDate(p.started_at)}, ${personaName(p.persona)}: ` +
        `${p.total}${p.plan_agreed ? ", plan agreed" : ", no plan agreed"}`));
      root.append(dot);
      root.append(svg("text", { x: x(i), y: height - 10, class: "axis", "text-anchor": "middle" },
        String(i + 1)));
    });
    return root;
  }

  async function showProgress(trainee) {
    let sessions;
    try {
      sessions = await getJSON(`/api/sessions?trainee=${encodeURIComponent(trainee)}`);
    } catch (error) {
      ui.listStatus.textContent = problem(error, "Loading the progress");
      return;
    }
    ui.progress.hidden = false;
    ui.progressTrainee.textContent = trainee;
    sessions = sessions.slice(-200); // the chart stays readable
    const scored = sessions.filter((s) => typeof s.total === "number");
    ui.progressChart.replaceChildren(scored.length
      ? chart(scored)
      : el("p", {}, "No ended rehearsals yet."));
    ui.progressRows.replaceChildren(...sessions.map((s) => el("tr", {},
      el("td", {}, formatDate(s.started_at)),
      el("td", {}, personaName(s.persona)),
      el("td", {}, totalText(s)),
      el("td", {}, s.ended_at ? (s.plan_agreed ? "yes" : "no") : "–"))));
  }

  // -- wiring ------------------------------------------------------------------------

  ui.filters.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 0;
    loadSessions();
  });
  ui.filters.addEventListener("reset", () => setTimeout(() => { page = 0; loadSessions(); }, 0));
  ui.pagePrev.addEventListener("click", () => { page = Math.max(0, page - 1); loadSessions(); });
  ui.pageNext.addEventListener("click", () => { page += 1; loadSessions(); });
  loadAccount().then(loadPersonas).then(loadSessions).catch(() => {});
})();
