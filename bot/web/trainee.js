/* The trainee page: choose a client, hold the rehearsal, read the scorecard.
   A reload in the middle of a rehearsal picks it up again from the stored transcript. */
"use strict";

(() => {
  const { el, getJSON, say, cueText, renderScorecard, RequestError, loadAccount, newKey,
    formatDate } = Rehearsal;
  // The running rehearsal of this tab, so that a reload can continue it.
  const CURRENT_KEY = "rehearsal.currentSession";

  const $ = (id) => document.getElementById(id);
  const ui = {
    setup: $("setup"), setupForm: $("setup-form"),
    resume: $("resume"), resumeText: $("resume-text"), resumeGo: $("resume-go"),
    resumeEnd: $("resume-end"),
    personaList: $("persona-list"), personasStatus: $("personas-status"),
    briefing: $("briefing"), briefingMeta: $("briefing-meta"), briefingText: $("briefing-text"),
    setupError: $("setup-error"), start: $("start"),
    chat: $("chat"), chatClient: $("chat-client"), chatBriefing: $("chat-briefing"),
    transcript: $("transcript"), live: $("live"), composer: $("composer"),
    message: $("message"), chatError: $("chat-error"), send: $("send"), end: $("end"),
    feedback: $("feedback"), feedbackHeading: $("feedback-h"),
    feedbackStatus: $("feedback-status"), scorecard: $("scorecard"), again: $("again"),
  };

  const state = {
    personas: [],
    persona: null,
    sessionId: null,
    opening: [],
    turnCount: 0,
    busy: false,
    ended: false,
    // The turn being sent and its idempotency key: a resend of the same text after a
    // failure or time-out carries the same key, so the server answers it only once.
    pendingText: null,
    pendingKey: null,
    unfinished: null,
  };

  // -- small helpers -------------------------------------------------------------

  function rememberCurrent(id) {
    try {
      if (id) sessionStorage.setItem(CURRENT_KEY, id);
      else sessionStorage.removeItem(CURRENT_KEY);
    } catch (e) { /* storage may be off; the unfinished-rehearsal card still works */ }
  }

  function rememberedCurrent() {
    try { return sessionStorage.getItem(CURRENT_KEY) || ""; } catch (e) { return ""; }
  }

  function personaFor(id) {
    return state.personas.find((p) => p.id === id) || { id, name: id, briefing: "" };
  }

  function showError(node, text) {
    node.textContent = text;
    node.hidden = !text;
  }

  function errorText(error, doing) {
    const why = error instanceof RequestError ? error.message : "Something went wrong.";
    return `${doing} did not go through. ${why}`;
  }

  /** A session id nobody has used: the trainee id, the time and a random part. */
  function newSessionId(trainee) {
    const safe = trainee.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").slice(0, 24) || "t";
    let random;
    if (window.crypto && typeof window.crypto.getRandomValues === "function") {
      const bytes = new Uint8Array(6);
      window.crypto.getRandomValues(bytes);
      random = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    } else {
      random = Math.random().toString(16).slice(2, 14);
    }
    return `web-${safe}-${Date.now().toString(36)}-${random}`;
  }

  // -- step 1: set-up ------------------------------------------------------------

  function describe(persona) {
    return [persona.difficulty, persona.approach].filter(Boolean).join(" · ");
  }

  function selectPersona(id) {
    state.persona = state.personas.find((p) => p.id === id) || null;
    if (!state.persona) {
      ui.briefing.hidden = true;
      return;
    }
    ui.briefingMeta.textContent = `${state.persona.name}: ${describe(state.persona)}`;
    ui.briefingText.textContent = state.persona.briefing || "";
    ui.briefing.hidden = false;
    ui.briefing.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  async function loadPersonas() {
    try {
      state.personas = await getJSON("/api/personas");
    } catch (error) {
      ui.personasStatus.textContent =
        `${errorText(error, "Loading the clients")} Reload the page to try again.`;
      ui.personasStatus.classList.add("error");
      return;
    }
    ui.personasStatus.textContent = state.personas.length
      ? `${state.personas.length} clients to choose from.`
      : "No clients are available yet.";
    ui.personaList.replaceChildren(...state.personas.map((p) => {
      const inputId = `persona-${p.id}`;
      return el("div", { className: "persona-option" },
        el("input", {
          type: "radio", name: "persona", id: inputId, value: p.id,
          onchange: () => selectPersona(p.id),
        }),
        el("label", { for: inputId },
          el("span", { className: "persona-name" }, p.name),
          el("span", { className: `badge difficulty-${p.difficulty}` }, p.difficulty || ""),
          el("span", { className: "persona-approach" }, p.approach || "")));
    }));
    // "Try this client again" (progress and debrief pages) links here with ?persona=<id>.
    const wanted = new URLSearchParams(window.location.search).get("persona");
    const input = wanted && document.getElementById(`persona-${wanted}`);
    if (input) {
      input.checked = true;
      selectPersona(wanted);
    }
  }

  async function startRehearsal(event) {
    event.preventDefault();
    if (state.busy) return;
    if (!state.persona) {
      showError(ui.setupError, "Please choose a client.");
      const first = ui.personaList.querySelector("input");
      if (first) first.focus();
      return;
    }
    showError(ui.setupError, "");
    const sessionId = newSessionId(Rehearsal.account.name);
    // The server stores the session under the signed-in account.
    const command = "/start_rehearsal" + JSON.stringify({ persona: state.persona.id });
    setStarting(true);
    try {
      const replies = await say(sessionId, command);
      // The start is only real if the session was stored; otherwise the reply explains why.
      let session;
      try {
        session = await getJSON(`/api/sessions/${encodeURIComponent(sessionId)}`);
      } catch (error) {
        if (error.status === 404) throw new RequestError(replies.join(" "));
        throw error;
      }
      state.sessionId = sessionId;
      state.opening = session.opening ? [session.opening] : replies;
      state.turnCount = 0;
      state.ended = false;
      rememberCurrent(sessionId);
      openChat();
    } catch (error) {
      showError(ui.setupError, errorText(error, "Starting the rehearsal"));
    } finally {
      setStarting(false);
    }
  }

  /** Continue a stored, unfinished rehearsal: its transcript as the server keeps it. */
  function resumeChat(session) {
    state.persona = personaFor(session.persona);
    state.sessionId = session.session_id;
    state.opening = session.opening ? [session.opening] : [];
    state.ended = false;
    rememberCurrent(session.session_id);
    openChat();
    renderStoredTranscript(session);
    state.turnCount = (session.turns || []).length;
    scrollToEnd();
  }

  /** On load: continue this tab's rehearsal, or offer the newest unfinished one. */
  async function findUnfinished() {
    const current = rememberedCurrent();
    if (current) {
      try {
        const session = await getJSON(`/api/sessions/${encodeURIComponent(current)}`);
        if (!session.ended_at) {
          resumeChat(session);
          return;
        }
      } catch (error) {
        // Gone or not ours: start afresh.
      }
      rememberCurrent(null);
    }
    let mine = [];
    try {
      mine = await getJSON("/api/sessions?order=newest&limit=25");
    } catch (error) {
      return;
    }
    const open = mine.find((s) => !s.ended_at);
    if (!open) return;
    state.unfinished = open;
    ui.resumeText.textContent = `With ${personaFor(open.persona).name}, started ` +
      `${formatDate(open.started_at)}; ${open.turn_count} turn` +
      `${open.turn_count === 1 ? "" : "s"} so far.`;
    ui.resume.hidden = false;
  }

  async function continueUnfinished() {
    if (!state.unfinished) return;
    try {
      const session = await getJSON(
        `/api/sessions/${encodeURIComponent(state.unfinished.session_id)}`);
      ui.resume.hidden = true;
      resumeChat(session);
    } catch (error) {
      showError(ui.setupError, errorText(error, "Continuing the rehearsal"));
    }
  }

  async function endUnfinished() {
    if (!state.unfinished) return;
    try {
      const session = await getJSON(
        `/api/sessions/${encodeURIComponent(state.unfinished.session_id)}`);
      ui.resume.hidden = true;
      resumeChat(session);
      await endRehearsal();
    } catch (error) {
      showError(ui.setupError, errorText(error, "Ending the rehearsal"));
    }
  }

  function setStarting(on) {
    state.busy = on;
    ui.start.disabled = on;
    ui.start.textContent = on ? "Starting…" : "Start the rehearsal";
  }

  // -- step 2: the conversation ----------------------------------------------------

  function clientMessage(text, label) {
    return el("div", { className: "msg client" },
      el("span", { className: "who" }, label || state.persona.name),
      el("p", {}, cueText(text)));
  }

  function traineeMessage(text, n) {
    return el("div", { className: "msg trainee" },
      el("span", { className: "who" }, `You · turn ${n}`),
      el("p", {}, text));
  }

  function turnItem(n, ...children) {
    return el("li", { className: "turn", id: `turn-${n}`, dataset: { turn: String(n) },
      tabindex: "-1" }, ...children);
  }

  function announce(text) {
    ui.live.textContent = `${state.persona.name}: ${text}`;
  }

  /** Bring the newest line into view above the composer, which sticks to the bottom of
      the window on wide screens and would otherwise cover it. */
  function scrollToEnd() {
    const last = ui.transcript.lastElementChild;
    if (!last) return;
    const bottom = last.getBoundingClientRect().bottom;
    const composer = ui.composer.hidden ? null : ui.composer.getBoundingClientRect();
    const limit = composer && composer.top < window.innerHeight
      ? composer.top - 12 : window.innerHeight - 12;
    if (bottom > limit) window.scrollBy({ top: bottom - limit, behavior: "auto" });
  }

  function openChat() {
    ui.setup.hidden = true;
    ui.feedback.hidden = true;
    ui.chat.hidden = false;
    ui.composer.hidden = false;
    ui.chat.dataset.session = state.sessionId;
    ui.chatClient.textContent = state.persona.name;
    ui.chatBriefing.textContent = state.persona.briefing || "";
    ui.transcript.replaceChildren(
      turnItem(0, ...state.opening.map((t) => clientMessage(t))));
    ui.message.value = "";
    showError(ui.chatError, "");
    setBusy(false);
    announce(state.opening.join(" "));
    ui.message.focus();
  }

  function setBusy(on) {
    state.busy = on;
    ui.send.disabled = on;
    ui.end.disabled = on;
    ui.message.readOnly = on;
    ui.transcript.setAttribute("aria-busy", on ? "true" : "false");
    ui.send.textContent = on ? "Waiting for the client…" : "Send";
  }

  async function sendTurn(event) {
    if (event) event.preventDefault();
    if (state.busy || state.ended) return;
    const text = ui.message.value.trim();
    if (!text) {
      showError(ui.chatError, "Type something to say to the client first.");
      ui.message.focus();
      return;
    }
    // Reserved for the page's own buttons; a typed command would bypass them.
    if (text.startsWith("/")) {
      showError(ui.chatError,
        "Messages starting with \"/\" are commands; use the buttons to start or end.");
      return;
    }
    showError(ui.chatError, "");
    if (text !== state.pendingText) {
      state.pendingText = text;
      state.pendingKey = newKey();
    }
    const n = state.turnCount + 1;
    // Shown as pending until the client answers; removed again if nothing comes back.
    const pending = turnItem(n, traineeMessage(text, n));
    pending.classList.add("pending");
    const note = el("p", { className: "pending-note" }, "Sending…");
    pending.append(note);
    ui.transcript.append(pending);
    scrollToEnd();
    setBusy(true);
    let replies;
    try {
      replies = await say(state.sessionId, text, state.pendingKey);
    } catch (error) {
      pending.remove();
      setBusy(false);
      showError(ui.chatError,
        `${errorText(error, "Your message")} It is still in the box above, ` +
        "so you can send it again.");
      ui.message.focus();
      return;
    }
    note.remove();
    pending.classList.remove("pending");
    for (const reply of replies) pending.append(clientMessage(reply));
    state.turnCount = n;
    state.pendingText = null;
    state.pendingKey = null;
    ui.message.value = "";
    setBusy(false);
    announce(replies.join(" "));
    scrollToEnd();
    ui.message.focus();
  }

  function onKeyDown(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendTurn();
    }
  }

  async function endRehearsal() {
    if (state.busy || state.ended) return;
    showError(ui.chatError, "");
    setBusy(true);
    ui.end.textContent = "Ending…";
    let replies;
    try {
      replies = await say(state.sessionId, "/end_rehearsal");
    } catch (error) {
      setBusy(false);
      ui.end.textContent = "End and see feedback";
      showError(ui.chatError,
        `${errorText(error, "Ending the rehearsal")} Your turns are saved; ` +
        "press the button again to try once more.");
      return;
    }
    state.ended = true;
    rememberCurrent(null);
    ui.end.textContent = "End and see feedback";
    // The first reply is the client's closing line; the rest are notes from the system.
    ui.transcript.append(el("li", { className: "turn closing" }, clientMessage(replies[0])));
    announce(replies[0]);
    ui.composer.hidden = true;
    await showFeedback();
  }

  // -- step 3: the scorecard -------------------------------------------------------

  function highlightTurn(n) {
    const item = document.getElementById(`turn-${n}`);
    if (!item) return;
    for (const other of ui.transcript.querySelectorAll(".highlight")) {
      other.classList.remove("highlight");
    }
    item.classList.add("highlight");
    item.scrollIntoView({ block: "center", behavior: "smooth" });
    item.focus({ preventScroll: true });
  }

  /** Rebuild the transcript from what the server stored, so turn numbers match. */
  function renderStoredTranscript(session) {
    const opening = session.opening ? [session.opening] : state.opening;
    const items = [turnItem(0, ...opening.map((t) => clientMessage(t)))];
    for (const turn of session.turns || []) {
      items.push(turnItem(turn.n, traineeMessage(turn.trainee, turn.n),
        clientMessage(turn.client)));
    }
    if (session.closing && session.closing.client) {
      items.push(el("li", { className: "turn closing" }, clientMessage(session.closing.client)));
    }
    ui.transcript.replaceChildren(...items);
  }

  async function showFeedback() {
    ui.feedback.hidden = false;
    ui.feedbackStatus.textContent = "Preparing your scorecard…";
    ui.scorecard.replaceChildren();
    let session = null;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        session = await getJSON(`/api/sessions/${encodeURIComponent(state.sessionId)}`);
      } catch (error) {
        session = null;
        ui.feedbackStatus.textContent = errorText(error, "Loading the scorecard");
      }
      if (session && session.score) break;
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    setBusy(false);
    if (!session) {
      ui.scorecard.append(el("button", {
        type: "button", className: "secondary", onclick: () => showFeedback(),
      }, "Try loading the scorecard again"));
      return;
    }
    renderStoredTranscript(session);
    ui.feedbackStatus.textContent = session.score
      ? "Well done for completing the rehearsal. Here is how it went."
      : "";
    renderScorecard(ui.scorecard, session, { onEvidence: highlightTurn, audience: "trainee" });
    // The client's side of the same rehearsal, turn by turn (debrief.html).
    ui.scorecard.prepend(el("p", { className: "debrief-link" }, el("a", {
      href: `/app/debrief.html?session=${encodeURIComponent(session.session_id)}`,
    }, "See the debrief: what the client heard and what changed inside it, turn by turn")));
    ui.feedbackHeading.focus();
  }

  function startAgain() {
    state.sessionId = null;
    state.ended = false;
    ui.chat.hidden = true;
    ui.feedback.hidden = true;
    ui.setup.hidden = false;
    ui.start.focus();
  }

  // -- wiring ----------------------------------------------------------------------

  ui.setupForm.addEventListener("submit", startRehearsal);
  ui.resumeGo.addEventListener("click", continueUnfinished);
  ui.resumeEnd.addEventListener("click", endUnfinished);
  ui.composer.addEventListener("submit", sendTurn);
  ui.message.addEventListener("keydown", onKeyDown);
  ui.end.addEventListener("click", endRehearsal);
  ui.again.addEventListener("click", startAgain);
  loadAccount()
    .then(loadPersonas)
    .then(findUnfinished)
    .catch((error) => {
      if (error.status !== 401) {
        ui.personasStatus.textContent = errorText(error, "Loading the page");
      }
    });
})();
