/* Shared by the drills, debrief, progress and supervision pages. Text from the server is
   set as textContent; the only markup taken from the server is the chart SVG, which the
   server builds itself (escaped) and which is parsed as an SVG document, never as HTML. */
"use strict";

const Training = (() => {
  const { el } = Rehearsal;

  /** Links between the pages, by role, into #training-nav. */
  function nav(account) {
    const links = [["/app/", "Rehearse"], ["/app/drills.html", "Drills"],
      ["/app/progress.html", "My progress"]];
    if (account.role === "instructor") {
      links.push(["/app/instructor.html", "Sessions"], ["/app/supervision.html", "Supervision"],
        ["/app/library.html", "Personas and drills"]);
    }
    const here = window.location.pathname;
    const bar = document.getElementById("training-nav");
    if (!bar) return;
    bar.replaceChildren(...links.map(([href, text]) =>
      el("a", { href, "aria-current": here === href ? "page" : null }, text)));
  }

  /** The server's chart SVG as a DOM node (or a note when there is nothing to draw). */
  function svg(markup, label) {
    if (!markup) return el("p", { className: "muted" }, "No chart yet.");
    const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
    const root = doc.documentElement;
    if (!root || root.nodeName !== "svg") return el("p", { className: "muted" }, "No chart.");
    const node = document.importNode(root, true);
    if (label) node.setAttribute("aria-label", label);
    return node;
  }

  function changeList(changes) {
    if (!changes || !changes.length) return null;
    return el("ul", { className: "changes" }, ...changes.map((c) =>
      el("li", { className: c.good === true ? "good" : c.good === false ? "bad" : "" }, c.text)));
  }

  function param(name) {
    return new URLSearchParams(window.location.search).get(name);
  }

  function errorText(error) {
    return error && error.message ? error.message : "Something went wrong.";
  }

  async function start(run) {
    let account;
    try {
      account = await Rehearsal.loadAccount();
    } catch (error) {
      return;  // 401 goes to the sign-in page
    }
    nav(account);
    try {
      await run(account);
    } catch (error) {
      const box = document.getElementById("page-error");
      if (box) {
        box.textContent = errorText(error);
        box.hidden = false;
      }
    }
  }

  return { nav, svg, changeList, param, errorText, start };
})();
