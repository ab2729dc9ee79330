/* The debrief page: ?session=<id>. The trainee flags misheard turns; instructors comment. */
"use strict";

(() => {
  const { el, getJSON, request, cueText, formatDate } = Rehearsal;
  const $ = (id) => document.getElementById(id);
  let view = null;
  let me = null;
  const sessionId = Training.param("session");

  function post(path, body) {
    return request(path, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
  }

  function flagForm(turn) {
    const select = el("select", { id: `meant-${turn.n}` },
      ...view.moves.map((m) => el("option", { value: m.move }, m.words)));
    const note = el("input", { type: "text", id: `note-${turn.n}`, maxlength: 500 });
    const status = el("span", { role: "status", className: "muted" });
    const form = el("form", { className: "inline-form flag-form", hidden: true },
      el("div", { className: "field" }, el("label", { for: `meant-${turn.n}` }, "What I meant"),
        select),
      el("div", { className: "field" }, el("label", { for: `note-${turn.n}` }, "Note (optional)"),
        note),
      el("button", { type: "submit", className: "primary" }, "Send flag"), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await post(`/api/training/sessions/${encodeURIComponent(sessionId)}/turns/${turn.n}/flags`,
          { meant: select.value, note: note.value });
        status.textContent = "Flag sent to your instructor.";
        await load();
      } catch (error) {
        status.textContent = Training.errorText(error);
      }
    });
    const open = el("button", { type: "button", className: "link",
      onclick: () => { form.hidden = !form.hidden; } }, "The client misheard this");
    return [open, form];
  }

  function commentForm(turn) {
    const text = el("textarea", { id: `comment-${turn.n}`, rows: 2, maxlength: 2000 });
    const status = el("span", { role: "status", className: "muted" });
    const form = el("form", { className: "inline-form comment-form" },
      el("div", { className: "field" }, el("label", { for: `comment-${turn.n}` },
        "Comment on this turn"), text),
      el("button", { type: "submit", className: "secondary" }, "Add comment"), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!text.value.trim()) return;
      try {
        await post(`/api/training/sessions/${encodeURIComponent(sessionId)}/turns/${turn.n}/comments`,
          { text: text.value });
        await load();
      } catch (error) {
        status.textContent = Training.errorText(error);
      }
    });
    return form;
  }

  function renderTurn(turn) {
    const heard = turn.heard.map((h) => h.words).join(", then ");
    const how = turn.how_said.length ? ` (${turn.how_said.join("; ")})` : "";
    const mine = me.name === view.trainee;
    return el("article", { className: "debrief-turn", id: `turn-${turn.n}`,
      "aria-label": `Turn ${turn.n}` },
      el("div", { className: "transcript" },
        el("div", { className: "msg trainee" }, el("span", { className: "who" },
          `Turn ${turn.n}: ${mine ? "you" : view.trainee}`), el("p", {}, turn.trainee)),
        el("div", { className: "msg client" }, el("span", { className: "who" },
          view.client_name), el("p", {}, cueText(turn.client)))),
      el("p", { className: "heard" }, `Heard as ${heard}${how}.`),
      Training.changeList(turn.changes),
      ...turn.comments.map((c) => el("p", { className: "comment" },
        el("strong", {}, `${c.author}: `), c.text)),
      ...turn.flags.map((f) => el("p", { className: "flag-note" },
        `Flagged as misheard: meant ${f.meant_words} (${f.status}).`)),
      mine ? flagForm(turn) : null,
      me.role === "instructor" ? commentForm(turn) : null);
  }

  async function load() {
    view = await getJSON(`/api/training/sessions/${encodeURIComponent(sessionId)}/debrief`);
    $("debrief-h").textContent = `${view.client_name}: ${view.agreed
      ? "an action plan was agreed" : "no action plan agreed"}`;
    $("debrief-meta").textContent = `${view.trainee} · ${formatDate(view.started_at)}`;
    $("again").href = `/app/?persona=${encodeURIComponent(view.persona)}`;
    $("chart").replaceChildren(Training.svg(view.chart_svg,
      `${view.client_name}'s trust and willingness over the turns`));
    $("turns").replaceChildren(...view.turns.map(renderTurn));
    $("closing").replaceChildren(...(view.closing ? [
      el("div", { className: "transcript closing" }, el("div", { className: "msg client" },
        el("span", { className: "who" }, `${view.client_name} at the end`),
        el("p", {}, cueText(view.closing)))),
      Training.changeList(view.closing_changes)] : []));
  }

  Training.start(async (account) => {
    me = account;
    if (!sessionId) {
      $("debrief-h").textContent = "No rehearsal chosen";
      $("debrief-meta").textContent = "Open a debrief from your progress page.";
      return;
    }
    await load();
  });
})();
