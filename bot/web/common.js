/* Shared by the pages: HTTP helpers (with the signed-in account and its CSRF token),
   safe DOM building, client lines with non-verbal cues, and the scorecard. No
   framework, no network beyond this server. Text from the server and from users is
   only ever set as textContent, never as HTML. */
"use strict";

const Rehearsal = (() => {
  const REQUEST_TIMEOUT_MS = 45000;
  const ESTIMATE_LABEL =
    "Scores are this project's estimates, not validated instrument scores.";

  const DIMENSION_NAMES = {
    D1: "Review of the previous plan",
    D2: "Collaborative design tied to goals",
    D3: "Link to the session",
    D4: "Rationale",
    D5: "Specificity",
    D6: "Obstacles",
    D7: "Written summary",
    D8: "Feedback and responsiveness",
    D9: "Socratic style and language",
  };

  // Each roll-up: a plain label and what it averages. The names echo published scales
  // (HAACS, HSTBS, CTRS item 11) but the numbers are this project's estimates.
  const ROLLUP_NAMES = {
    review: ["Reviewing last week's plan", "D1, in the style of the HAACS review items"],
    design: ["Designing the plan together", "D2–D5, in the style of the HAACS design items"],
    planning: ["Planning for follow-through",
      "D6–D8, in the style of the HAACS planning items"],
    specificity: ["How specific the plan is",
      "D5 and D7, in the style of the HSTBS specificity item"],
    motivation: ["Building motivation", "D2, D4 and D8, in the style of the HSTBS items"],
    problem_solving: ["Working through obstacles",
      "D6, in the style of the HSTBS problem-solving item"],
    ctrs_homework: ["Action planning overall",
      "mean of D1–D8, in the style of CTRS item 11"],
  };

  const RATING_NAMES = {
    engagement_quantity: "How much of it I expect to do",
    engagement_quality: "How well I expect to do it",
    understands_rationale: "I understand why it could help",
    plan_specific: "The plan is specific",
    collaborative: "We made it together",
    fits_goals: "It fits my goals",
    expected_pleasure: "I expect to enjoy it",
    expected_mastery: "I expect to feel capable",
    expected_progress: "I expect it to move me forward",
  };

  const PLAN_FIELDS = [
    ["activity", "What"],
    ["day", "Day"],
    ["time_of_day", "Time of day"],
    ["place", "Where"],
    ["duration", "How long"],
    ["frequency", "How often"],
    ["person", "With whom"],
  ];

  /** Create an element: el("p", {className: "x"}, "text", childNode, ...). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      // Through the CSSOM: the pages' Content-Security-Policy forbids style attributes.
      else if (key === "style") node.style.cssText = String(value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else if (key === "hidden") node.hidden = Boolean(value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A message the pages can show as is: what went wrong, in plain words. */
  class RequestError extends Error {}

  // The signed-in account ({name, role, csrf_token}), filled by loadAccount().
  let account = null;

  /** A path on this server to go to after signing in, or null (no open redirects). */
  function safeNext(next) {
    if (typeof next !== "string" || !next.startsWith("/app/") || next.includes("//") ||
        next.includes("\\")) return null;
    return next;
  }

  function toSignIn() {
    const here = window.location.pathname + window.location.search;
    window.location.assign(`/app/signin.html?next=${encodeURIComponent(here)}`);
  }

  /** fetch with a time-out, JSON errors in plain words, and the CSRF token on changes.
      A 401 (signed out, or the sign-in expired) goes to the sign-in page. */
  async function request(url, options = {}, { redirectOn401 = true, withTotal = false } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = { ...(options.headers || {}) };
    const method = (options.method || "GET").toUpperCase();
    if (method !== "GET" && account && account.csrf_token) {
      headers["X-CSRF-Token"] = account.csrf_token;
    }
    let reply;
    try {
      reply = await fetch(url, {
        ...options, headers, credentials: "same-origin", signal: controller.signal,
      });
    } catch (error) {
      if (error && error.name === "AbortError") {
        throw new RequestError("The server took too long to answer.");
      }
      throw new RequestError("The server could not be reached. Is it still running?");
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try {
      body = await reply.json();
    } catch (error) {
      body = null;
    }
    if (!reply.ok) {
      if (reply.status === 401 && redirectOn401) toSignIn();
      const detail = body && body.error ? ` (${body.error})` : "";
      const err = new RequestError(`The server answered with an error ${reply.status}${detail}.`);
      err.status = reply.status;
      throw err;
    }
    if (withTotal) return { body, total: Number(reply.headers.get("X-Total-Count") || 0) };
    return body;
  }

  function getJSON(path) {
    return request(path, { method: "GET", headers: { Accept: "application/json" } });
  }

  /** One page of a list route: {body, total} (total from the X-Total-Count header). */
  function getPage(path) {
    return request(path, { method: "GET", headers: { Accept: "application/json" } },
      { withTotal: true });
  }

  /** Who is signed in; shows "Signed in as ... · Sign out" in #account when present. */
  async function loadAccount() {
    account = await request("/api/me", { method: "GET" });
    const bar = document.getElementById("account");
    if (bar) {
      const links = [];
      if (account.role === "instructor") {
        links.push(window.location.pathname.endsWith("instructor.html")
          ? el("a", { href: "/app/" }, "Rehearse")
          : el("a", { href: "/app/instructor.html" }, "Instructor view"));
      }
      bar.replaceChildren(
        el("span", { className: "who-am-i" }, "Signed in as ",
          el("strong", { id: "account-name" }, account.name), ` (${account.role})`),
        ...links,
        el("button", { type: "button", id: "signout", className: "link on-dark",
          onclick: signOut }, "Sign out"));
      bar.hidden = false;
    }
    return account;
  }

  async function signOut() {
    try {
      await request("/api/signout", { method: "POST" }, { redirectOn401: false });
    } catch (error) {
      // Signed out already, or the server is gone: the sign-in page is right either way.
    }
    try { sessionStorage.clear(); } catch (e) { /* nothing of the next user's to keep */ }
    window.location.assign("/app/signin.html?signed_out=1");
  }

  /** A random key that marks one turn, so a resent turn is answered only once. */
  function newKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** One message over Rasa's REST channel; resolves to the list of reply texts.
      `key` (optional) is the turn's idempotency key. */
  async function say(sender, message, key) {
    const payload = { sender, message };
    if (key) payload.metadata = { idempotency_key: key };
    const body = await request("/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
    });
    const texts = Array.isArray(body)
      ? body.map((m) => (m && typeof m.text === "string" ? m.text : "")).filter((t) => t)
      : [];
    if (!texts.length) {
      // Rasa answers [] when the action server is down or an action failed.
      throw new RequestError("The client did not answer (the server sent an empty reply).");
    }
    return texts;
  }

  /** Client speech with bracketed non-verbal cues, "(looks away)", in italics. */
  function cueText(text) {
    const frag = document.createDocumentFragment();
    const pattern = /(\([^()]*\)|\[[^[\]]*\])/g;
    let last = 0;
    for (const match of String(text).matchAll(pattern)) {
      if (match.index > last) frag.append(text.slice(last, match.index));
      frag.append(el("em", { className: "cue" }, match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) frag.append(text.slice(last));
    return frag;
  }

  function formatDate(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return d.toLocaleString(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
  }

  function formatNumber(value) {
    if (typeof value !== "number") return String(value ?? "–");
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }

  function prettyKey(key) {
    return String(key).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }

  function meter(value, max, label) {
    const pct = Math.max(0, Math.min(100, (Number(value) / max) * 100));
    return el(
      "span",
      { className: "meter", role: "img", "aria-label": label },
      el("span", { className: "meter-fill", style: `width: ${pct}%` }),
    );
  }

  /** The evidence quote, with "…" where the scorer shortened the trainee's words. */
  function quoted(ev, session) {
    const quote = String(ev.quote || "").trim();
    const turn = (session.turns || []).find((t) => t.n === ev.turn);
    const full = turn ? String(turn.trainee || "").trim() : quote;
    if (!quote || quote === full) return quote;
    const at = full.indexOf(quote);
    return `${at > 0 ? "…" : ""}${quote}${at >= 0 && at + quote.length < full.length ? "…" : ""}`;
  }

  const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday"];

  /** "How often", from the plan's frequency or else from the days it names. */
  function howOften(plan) {
    if (plan.frequency) return String(plan.frequency);
    const day = String(plan.day || "").toLowerCase();
    if (/every\s*day|daily/.test(day)) return "every day";
    if (day.includes("weekday")) return "five times a week (weekdays)";
    const n = WEEKDAYS.filter((d) => day.includes(d)).length + (day.includes("weekend") ? 2 : 0);
    if (n === 1) return "once a week";
    return n ? `${n} times a week` : "";
  }

  function planDetails(plan) {
    const list = el("dl", { className: "plan-details" });
    let any = false;
    for (const [key, label] of PLAN_FIELDS) {
      const value = key === "frequency" ? howOften(plan || {}) : plan && plan[key];
      if (!value) continue;
      any = true;
      list.append(el("dt", {}, label), el("dd", {}, String(value)));
    }
    return any ? list : null;
  }

  /**
   * The scorecard of an ended session into `container`.
   * options.onEvidence(turnNumber) is called when an evidence quote is activated.
   * options.audience: "trainee" (second person) or "instructor".
   */
  function renderScorecard(container, session, options = {}) {
    const onEvidence = options.onEvidence || (() => {});
    const you = options.audience !== "instructor";
    container.replaceChildren();
    const score = session.score;
    if (!score) {
      container.append(
        el("p", { className: "notice" },
          session.ended_at
            ? "The scorecard is not ready yet. Please try again in a moment."
            : "This rehearsal has not ended yet; it is scored when it ends."),
      );
      return;
    }
    container.append(
      el("p", { className: "estimate-label", id: "estimate-label" }, ESTIMATE_LABEL,
        " They are meant as prompts for reflection and practice."),
    );

    // Outcome first: was an action plan agreed, and what is it?
    const plan = session.plan || {};
    const agreed = score.plan_agreed ?? Boolean(plan.agreed);
    const outcome = el("section", { className: "card outcome", "aria-labelledby": "outcome-h" },
      el("h3", { id: "outcome-h" }, "Action plan"));
    outcome.append(el("p", { className: agreed ? "agreed yes" : "agreed no" },
      agreed
        ? "An action plan was agreed."
        : "No action plan was agreed this time. That happens with real clients too; " +
          "the notes below point to what might help next time."));
    const details = planDetails(plan);
    if (details) {
      if (!agreed) outcome.append(el("p", { className: "muted" }, "Details discussed so far:"));
      outcome.append(details);
    }
    const total = typeof score.total === "number" ? score.total : null;
    const dims = score.dimensions || {};
    const dimKeys = Object.keys(dims).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    if (total !== null) {
      outcome.append(el("p", { className: "total" },
        `Total across the ${dimKeys.length} dimensions: ${total} of ${6 * dimKeys.length}.`));
    }
    container.append(outcome);

    // The nine dimensions with evidence and what would raise each.
    const dimSection = el("section", { className: "card", "aria-labelledby": "dims-h" },
      el("h3", { id: "dims-h" }, "Nine dimensions (0–6)"));
    const list = el("ol", { className: "dimensions" });
    for (const key of dimKeys) {
      const dim = dims[key] || {};
      const name = dim.name || DIMENSION_NAMES[key] || key;
      const item = el("li", { className: "dimension", dataset: { dim: key } });
      item.append(el("div", { className: "dim-head" },
        el("h4", {}, el("span", { className: "dim-key" }, key), " ", name),
        el("span", { className: "dim-score" },
          meter(dim.score, 6, `${dim.score} out of 6`),
          el("strong", { className: "score-value" }, `${dim.score}`), " / 6")));
      const evidence = dim.evidence || [];
      if (evidence.length) {
        const evList = el("ul", { className: "evidence" });
        for (const ev of evidence) {
          evList.append(el("li", {},
            el("button", {
              type: "button",
              className: "evidence-link",
              dataset: { turn: String(ev.turn) },
              "aria-label": `Show turn ${ev.turn} in the transcript`,
              onclick: () => onEvidence(ev.turn),
            }, `Turn ${ev.turn}`),
            " ",
            el("q", {}, quoted(ev, session))));
        }
        item.append(el("p", { className: "sub" }, "Evidence"), evList);
      } else {
        item.append(el("p", { className: "muted" },
          "No moment in the transcript counted towards this one yet."));
      }
      if (dim.missing) {
        item.append(el("p", { className: "raise" },
          el("strong", {}, "What would raise it: "), dim.missing));
      }
      list.append(item);
    }
    dimSection.append(list);
    container.append(dimSection);

    // Caps and roll-ups.
    const caps = score.caps || [];
    const capSection = el("section", { className: "card", "aria-labelledby": "caps-h" },
      el("h3", { id: "caps-h" }, "Caps applied"));
    if (caps.length) {
      capSection.append(el("p", { className: "muted" },
        "Some scores are held at a ceiling until something else is in place:"),
        el("ul", { className: "caps" }, caps.map((c) => el("li", {}, c))));
    } else {
      capSection.append(el("p", {}, "None: no score was held at a ceiling."));
    }
    container.append(capSection);

    const rollups = score.rollups || {};
    const rollSection = el("section", { className: "card", "aria-labelledby": "roll-h" },
      el("h3", { id: "roll-h" }, "Summary scores"),
      el("p", { className: "muted rollup-note" },
        "Averages of the dimensions above, grouped the way published rating scales group " +
        "them. They are this project's estimates, not validated instrument scores."));
    const table = el("table", { className: "rollups" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Summary"),
        el("th", { scope: "col" }, "0–6"))));
    const body = el("tbody");
    for (const [key, value] of Object.entries(rollups)) {
      const [label, what] = ROLLUP_NAMES[key] || [prettyKey(key), ""];
      body.append(el("tr", { dataset: { rollup: key } },
        el("th", { scope: "row" }, label,
          what ? el("span", { className: "rollup-what" }, what) : null),
        el("td", {}, formatNumber(value))));
    }
    table.append(body);
    rollSection.append(table);
    container.append(rollSection);

    // The client's own view.
    const ratings = session.client_ratings;
    const view = el("section", { className: "card client-view", "aria-labelledby": "view-h" },
      el("h3", { id: "view-h" }, you ? "The client's own view" : "Client's own view"),
      el("p", { className: "muted" },
        "How the simulated client rates the plan (0–4), from its own state, " +
        "independently of the scores above."));
    if (ratings) {
      if (ratings.comment) {
        view.append(el("blockquote", { className: "client-comment" }, cueText(ratings.comment)));
      }
      const rt = el("table", { className: "ratings" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Item"),
          el("th", { scope: "col" }, "0–4"))));
      const rb = el("tbody");
      for (const [key, value] of Object.entries(ratings.items || {})) {
        rb.append(el("tr", {},
          el("th", { scope: "row" }, RATING_NAMES[key] || prettyKey(key)),
          el("td", {}, meter(value, 4, `${value} out of 4`), " ", formatNumber(value))));
      }
      rt.append(rb);
      view.append(rt);
    } else {
      view.append(el("p", {}, "Not available for this rehearsal."));
    }
    container.append(view);
  }

  /** "Maya with t01, 1 Dec 2026, 10:04": how a session is named on the pages. */
  function sessionTitle(session, personaName) {
    return `${personaName || session.persona} with ${session.trainee}, ` +
      formatDate(session.started_at);
  }

  return {
    ESTIMATE_LABEL, DIMENSION_NAMES, RequestError, el, request, getJSON, say, cueText,
    formatDate, formatNumber, prettyKey, planDetails, renderScorecard, meter, loadAccount, getPage,
    newKey, safeNext, sessionTitle, howOften, get account() { return account; },
  };
})();
