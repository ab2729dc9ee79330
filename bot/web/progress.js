/* The trainee's own page (instructors: ?trainee=<name>): rehearsals, debrief links,
   "try this client again", and one chart per rubric dimension over time. */
"use strict";

(() => {
  const { el, getJSON, formatDate } = Rehearsal;
  const $ = (id) => document.getElementById(id);

  Training.start(async () => {
    const who = Training.param("trainee");
    const view = await getJSON("/api/training/progress" +
      (who ? `?trainee=${encodeURIComponent(who)}` : ""));
    const rows = view.rehearsals.slice().reverse();
    $("rehearsal-rows").replaceChildren(...(rows.length ? rows.map((r) => {
      const total = Object.values(r.scores).reduce((a, b) => a + b, 0);
      return el("tr", {},
        el("td", {}, formatDate(r.started_at)),
        el("td", {}, r.persona),
        el("td", {}, r.agreed ? "yes" : "no"),
        el("td", {}, Object.keys(r.scores).length ? `${total} / 54` : "–"),
        el("td", {}, el("a", { href: `/app/debrief.html?session=${encodeURIComponent(r.session_id)}` },
          "Debrief")),
        el("td", {}, el("a", { href: `/app/?persona=${encodeURIComponent(r.persona)}` },
          "Try this client again")));
    }) : [el("tr", {}, el("td", { colspan: 6 }, "No rehearsals yet."))]));
    const charts = Object.entries(view.charts);
    $("dim-charts").replaceChildren(...(charts.length ? charts.map(([dim, svg]) =>
      el("figure", { className: "chart" }, Training.svg(svg, `${dim} over your rehearsals`),
        el("figcaption", {}, `${dim} ${view.dimension_names[dim]}`)))
      : [el("p", { className: "muted" }, "Charts appear after your first scored rehearsal.")]));
  });
})();
