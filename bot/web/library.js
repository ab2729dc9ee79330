/* Instructors: every persona and drill file with its validation status; edit one with the
   same validation before it is saved (a bad edit is refused with file:line messages). */
"use strict";

(() => {
  const { el, getJSON, request } = Rehearsal;
  const $ = (id) => document.getElementById(id);
  let open = null;

  function showProblems(problems) {
    $("problems").replaceChildren(...problems.map((p) => el("li", { className: "miss" }, p)));
  }

  async function loadList() {
    const lib = await getJSON("/api/training/library");
    const rows = [];
    for (const kind of ["personas", "drills"]) {
      for (const f of lib[kind]) {
        rows.push(el("tr", { dataset: { file: f.file } },
          el("td", {}, f.file),
          el("td", {}, f.ok ? "no problems" : `${f.problems.length} problem(s): ${f.problems[0]}`),
          el("td", {}, el("button", { type: "button", className: "secondary",
            onclick: () => edit(kind, f.name) }, "Edit"))));
      }
    }
    $("file-rows").replaceChildren(...rows);
  }

  async function edit(kind, name) {
    const file = await getJSON(`/api/training/library/${kind}/${encodeURIComponent(name)}`);
    open = { kind, name };
    $("editor-h").textContent = `data/${kind}/${name}.yml`;
    $("text").value = file.text;
    $("try").href = kind === "personas" ? `/app/?persona=${encodeURIComponent(name)}`
      : `/app/drills.html?drill=${encodeURIComponent(name)}`;
    $("save-status").textContent = file.problems.length ? "This file has problems:" : "";
    showProblems(file.problems);
    $("editor").hidden = false;
    $("text").focus();
  }

  async function save(event) {
    event.preventDefault();
    if (!open) return;
    $("save").disabled = true;
    try {
      const reply = await fetch(`/api/training/library/${open.kind}/${encodeURIComponent(open.name)}`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json",
          "X-CSRF-Token": Rehearsal.account.csrf_token },
        body: JSON.stringify({ text: $("text").value }),
      });
      const body = await reply.json();
      if (reply.status === 422) {
        $("save-status").textContent = "Not saved: fix these problems first.";
        showProblems(body.problems);
      } else if (!reply.ok) {
        $("save-status").textContent = body.error || `Not saved (error ${reply.status}).`;
      } else {
        $("save-status").textContent = "Saved. The server uses the new version from now on.";
        showProblems([]);
        await loadList();
      }
    } catch (error) {
      $("save-status").textContent = Training.errorText(error);
    } finally {
      $("save").disabled = false;
    }
  }

  Training.start(async () => {
    $("edit-form").addEventListener("submit", save);
    await loadList();
  });
})();
