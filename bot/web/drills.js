/* The drills page: the list by skill and difficulty with the trainee's mastery, trying a
   drill (answer, client's reply, judgement, model answers), and assigning (instructors). */
"use strict";

(() => {
  const { el, getJSON, request, cueText } = Rehearsal;
  const $ = (id) => document.getElementById(id);
  let drills = [];
  let current = null;

  function masteryText(m) {
    if (m.mastered) return "Mastered";
    if (!m.attempts) return "Not tried yet";
    return `${m.streak} of ${m.needed} good answers in a row`;
  }

  function renderList() {
    const skill = $("f-skill").value;
    const level = $("f-level").value;
    const shown = drills.filter((d) => (!skill || d.skill === skill) &&
      (!level || d.difficulty === level));
    const mastered = drills.filter((d) => d.mastery.mastered).length;
    $("summary").textContent = `${shown.length} drills shown; you have mastered ${mastered} ` +
      `of ${drills.length}.`;
    const groups = new Map();
    for (const d of shown) {
      if (!groups.has(d.skill)) groups.set(d.skill, []);
      groups.get(d.skill).push(d);
    }
    $("drill-groups").replaceChildren(...[...groups].map(([key, items]) =>
      el("section", { className: "drill-group", "aria-label": `${key} ${items[0].skill_name}` },
        el("h3", {}, `${key} ${items[0].skill_name}`),
        el("ul", { className: "drill-list" }, ...items.map((d) =>
          el("li", { className: "drill-item", dataset: { drill: d.id } },
            el("span", { className: "drill-title" }, d.title),
            el("span", {}, el("span", { className: `badge level-${d.difficulty}` },
              d.difficulty), ` with ${d.persona_name}`),
            el("span", { className: d.mastery.mastered ? "mastered" : "muted" },
              masteryText(d.mastery)),
            d.assigned ? el("span", { className: "assigned" }, "Assigned to you") : null,
            el("button", { type: "button", className: "secondary",
              onclick: () => openDrill(d.id) }, d.mastery.attempts ? "Practise again" : "Try")))))));
  }

  async function openDrill(id) {
    current = await getJSON(`/api/training/drills/${encodeURIComponent(id)}`);
    $("try-h").textContent = current.title;
    $("try-meta").textContent = `${current.skill} ${current.skill_name} · ` +
      `${current.difficulty} · with ${current.persona_name}`;
    $("try-situation").textContent = current.situation;
    $("try-before").replaceChildren(...current.before.flatMap((e) => [
      el("div", { className: "msg trainee" }, el("span", { className: "who" }, "You"),
        el("p", {}, e.therapist)),
      el("div", { className: "msg client" }, el("span", { className: "who" },
        current.persona_name), el("p", {}, cueText(e.client)))]));
    $("try-who").textContent = current.persona_name;
    $("try-says").replaceChildren(cueText(current.client_says));
    $("feedback").hidden = true;
    $("answer").value = "";
    $("try").hidden = false;
    $("list-section").hidden = true;
    history.replaceState(null, "", `?drill=${encodeURIComponent(id)}`);
    $("answer").focus();
  }

  function closeDrill() {
    $("try").hidden = true;
    $("list-section").hidden = false;
    history.replaceState(null, "", window.location.pathname);
    load();
  }

  async function send(event) {
    event.preventDefault();
    const text = $("answer").value.trim();
    if (!text || !current) return;
    $("send").disabled = true;
    try {
      const fb = await request(`/api/training/drills/${encodeURIComponent(current.id)}/attempts`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text }),
      });
      showFeedback(fb);
    } catch (error) {
      $("page-error").textContent = Training.errorText(error);
      $("page-error").hidden = false;
    } finally {
      $("send").disabled = false;
    }
  }

  function showFeedback(fb) {
    $("verdict").textContent = fb.met ? "That meets this drill's criterion."
      : "Not yet: see what was missing, then try again.";
    $("verdict").className = `verdict ${fb.met ? "met" : "not-met"}`;
    $("reply-who").textContent = current.persona_name;
    $("reply").replaceChildren(cueText(fb.reply));
    $("heard").textContent = "Heard as " + fb.heard.map((h) => h.words).join(", then ") + ".";
    $("checks").replaceChildren(...fb.checks.map((c) =>
      el("li", { className: c.ok ? "ok" : "miss" }, c.text)));
    $("changes").replaceChildren(Training.changeList(fb.changes) ||
      el("p", { className: "muted" }, "Nothing changed noticeably."));
    $("good-answer").textContent = fb.good_answer;
    $("models").replaceChildren(...fb.model_answers.map((m) => el("li", {}, m)));
    const m = fb.mastery;
    $("mastery-line").textContent = m.mastered
      ? "You have mastered this drill. Practise again whenever you like."
      : `${m.streak} of ${m.needed} good answers in a row so far.`;
    $("feedback").hidden = false;
    $("feedback").scrollIntoView({ block: "nearest" });
  }

  async function assign(event) {
    event.preventDefault();
    const trainee = $("a-trainee").value.trim();
    if (!trainee) return;
    try {
      await request("/api/training/assignments", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ trainee, drill: $("a-drill").value }),
      });
      $("assign-status").textContent = `Assigned to ${trainee}.`;
    } catch (error) {
      $("assign-status").textContent = Training.errorText(error);
    }
  }

  async function load() {
    drills = await getJSON("/api/training/drills");
    renderList();
  }

  Training.start(async (account) => {
    await load();
    const skills = new Map(drills.map((d) => [d.skill, d.skill_name]));
    $("f-skill").append(...[...skills].map(([k, name]) => el("option", { value: k }, `${k} ${name}`)));
    $("f-skill").addEventListener("change", renderList);
    $("f-level").addEventListener("change", renderList);
    $("answer-form").addEventListener("submit", send);
    $("back").addEventListener("click", closeDrill);
    if (account.role === "instructor") {
      $("a-drill").append(...drills.map((d) => el("option", { value: d.id },
        `${d.skill} · ${d.difficulty} · ${d.title}`)));
      $("assign-form").addEventListener("submit", assign);
      $("assign").hidden = false;
    }
    const wanted = Training.param("drill");
    if (wanted) await openDrill(wanted);
  });
})();
