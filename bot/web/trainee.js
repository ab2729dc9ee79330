/* The trainee page: choose a client, hold the rehearsal, read the scorecard. */
"use strict";

(() => {
  const { el, getJSON, say, cueText, renderScorecard, RequestError } = Rehearsal;
  const STORAGE_KEY = "rehearsal.traineeId";

  const $ = (id) => document.getElementById(id);
  const ui = {
    setup: $("setup"), setupForm: $("setup-form"), trainee: $("trainee-id"),
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
  };

  // -- small helpers -------------------------------------------------------------

  function remember(id) {
    try { localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* storage may be off */ }
  }

  function remembered() {
    try { return localStorage.getItem(STORAGE_KEY) || ""; } catch (e) { return ""; }
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
  }

  async function startRehearsal(event) {
    event.preventDefault();
    if (state.busy) return;
    const trainee = ui.trainee.value.trim();
    if (!trainee) {
      showError(ui.setupError, "Please enter your trainee id first.");
      ui.trainee.focus();
      return;
    }
    if (!state.persona) {
      showError(ui.setupError, "Please choose a client.");
      const first = ui.personaList.querySelector("input");
      if (first) first.focus();
      return;
    }
    showError(ui.setupError, "");
    remember(trainee);
    const sessionId = newSessionId(trainee);
    const command = "/start_rehearsal" +
      JSON.stringify({ persona: state.persona.id, trainee });
    setStarting(true);
    try {
      const replies = await say(sessionId, command);
      // The start is only real if the session was stored; otherwise the reply explains why.
      try {
        await getJSON(`/api/sessions/${encodeURIComponent(sessionId)}`);
      } catch (error) {
        if (error.status === 404) throw new RequestError(replies.join(" "));
        throw error;
      }
      state.sessionId = sessionId;
      state.opening = replies;
      state.turnCount = 0;
      state.ended = false;
      openChat();
    } catch (error) {
      showError(ui.setupError, errorText(error, "Starting the rehearsal"));
    } finally {
      setStarting(false);
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

  function scrollToEnd() {
    const last = ui.transcript.lastElementChild;
    if (last) last.scrollIntoView({ block: "end", behavior: "smooth" });
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
      replies = await say(state.sessionId, text);
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
    const items = [turnItem(0, ...state.opening.map((t) => clientMessage(t)))];
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

  ui.trainee.value = remembered();
  ui.trainee.addEventListener("change", () => remember(ui.trainee.value.trim()));
  ui.setupForm.addEventListener("submit", startRehearsal);
  ui.composer.addEventListener("submit", sendTurn);
  ui.message.addEventListener("keydown", onKeyDown);
  ui.end.addEventListener("click", endRehearsal);
  ui.again.addEventListener("click", startAgain);
  loadPersonas();
})();
