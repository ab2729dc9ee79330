/* Shared by the trainee and instructor pages: HTTP helpers, safe DOM building,
   client lines with non-verbal cues, and the scorecard. No framework, no network
   beyond this server. Text from the server is only ever set as textContent. */
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

  const ROLLUP_NAMES = {
    review: "Review (HAACS-like)",
    design: "Design (HAACS-like)",
    planning: "Planning (HAACS-like)",
    specificity: "Specificity (HSTBS-like)",
    motivation: "Motivation (HSTBS-like)",
    problem_solving: "Problem-solving (HSTBS-like)",
    ctrs_homework: "CTRS item 11-like estimate (mean of D1–D8)",
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

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let reply;
    try {
      reply = await fetch(url, { ...options, signal: controller.signal });
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
      const detail = body && body.error ? ` (${body.error})` : "";
      const err = new RequestError(`The server answered with an error ${reply.status}${detail}.`);
      err.status = reply.status;
      throw err;
    }
    return body;
  }

  function getJSON(path) {
    return request(path, { method: "GET", headers: { Accept: "application/json" } });
  }

  /** One message over Rasa's REST channel; resolves to the list of reply texts. */
  async function say(sender, message) {
    const body = await request("/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender, message }),
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

  function planDetails(plan) {
    const list = el("dl", { className: "plan-details" });
    let any = false;
    for (const [key, label] of PLAN_FIELDS) {
      const value = plan && plan[key];
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
            el("q", {}, ev.quote || "")));
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
      el("h3", { id: "roll-h" }, "Roll-ups"),
      el("p", { className: "muted" },
        "Averages in the style of published scales; this project's estimates, " +
        "not validated scale scores."));
    const table = el("table", { className: "rollups" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Roll-up"),
        el("th", { scope: "col" }, "0–6"))));
    const body = el("tbody");
    for (const [key, value] of Object.entries(rollups)) {
      body.append(el("tr", {}, el("th", { scope: "row" }, ROLLUP_NAMES[key] || prettyKey(key)),
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

  return {
    ESTIMATE_LABEL, DIMENSION_NAMES, RequestError, el, request, getJSON, say, cueText,
    formatDate, formatNumber, prettyKey, planDetails, renderScorecard, meter,
  };
})();
