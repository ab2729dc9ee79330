/* Instructors: recent rehearsals (debrief links), flag review, NLU export, cohort figures. */
"use strict";

(() => {
  const { el, getJSON, request, formatDate } = Rehearsal;
  const $ = (id) => document.getElementById(id);

  async function review(id, status) {
    await request(`/api/training/flags/${id}`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status }) });
    await loadFlags();
  }

  async function loadFlags() {
    const flags = await getJSON("/api/training/flags");
    $("flag-rows").replaceChildren(...(flags.length ? flags.slice().reverse().map((f) =>
      el("tr", { dataset: { flag: f.id } },
        el("td", {}, f.trainee),
        el("td", {}, el("a", { href: `/app/debrief.html?session=${encodeURIComponent(f.session_id)}#turn-${f.n}` },
          `${f.n}: “${f.text}”`)),
        el("td", {}, f.heard), el("td", {}, f.meant), el("td", {}, f.status),
        el("td", {}, f.status === "open" ? [
          el("button", { type: "button", className: "secondary",
            onclick: () => review(f.id, "accepted") }, "Accept"), " ",
          el("button", { type: "button", className: "secondary",
            onclick: () => review(f.id, "rejected") }, "Reject")] : `by ${f.reviewed_by}`)))
      : [el("tr", {}, el("td", { colspan: 6 }, "No flags yet."))]));
  }

  async function loadCohort() {
    const c = await getJSON("/api/training/cohort");
    const dims = Object.keys(c.dimension_names);
    $("cohort").replaceChildren(
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Client"),
        el("th", { scope: "col" }, "Rehearsals"), el("th", { scope: "col" }, "Plan agreed"),
        ...dims.map((d) => el("th", { scope: "col", title: c.dimension_names[d] }, d)))),
      el("tbody", {}, ...c.personas.map((p) => el("tr", {},
        el("th", { scope: "row" }, p.persona), el("td", {}, p.sessions),
        el("td", {}, `${Math.round(p.agreement_rate * 100)}%`),
        ...dims.map((d) => el("td", {}, p.means[d] === undefined ? "–" : p.means[d].toFixed(1)))))));
    $("common-flags").replaceChildren(...(c.flagged.length ? c.flagged.map((f) =>
      el("li", {}, `${f.count} × heard as ${f.heard_words}, meant ${f.meant_words}` +
        (f.examples.length ? ` (e.g. “${f.examples[0]}”)` : "")))
      : [el("li", { className: "muted" }, "None yet.")]));
  }

  Training.start(async () => {
    const recent = await getJSON("/api/sessions?order=newest&limit=20");
    $("recent").replaceChildren(...recent.map((s) => el("li", {},
      el("a", { href: `/app/debrief.html?session=${encodeURIComponent(s.session_id)}` },
        `${s.persona} with ${s.trainee}, ${formatDate(s.started_at)}`))));
    await loadFlags();
    await loadCohort();
  });
})();
