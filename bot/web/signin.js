/* The sign-in page: name and password to /api/signin, then on to the page asked for. */
"use strict";

(() => {
  const { request, RequestError, safeNext } = Rehearsal;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(window.location.search);
  if (params.get("signed_out")) $("signed-out").hidden = false;

  function showError(text) {
    $("signin-error").textContent = text;
    $("signin-error").hidden = !text;
  }

  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("name").value.trim();
    const password = $("password").value;
    if (!name || !password) {
      showError("Please enter your name and password.");
      (name ? $("password") : $("name")).focus();
      return;
    }
    showError("");
    $("signin").disabled = true;
    try {
      const me = await request("/api/signin", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ name, password }),
      }, { redirectOn401: false });
      const home = me.role === "instructor" ? "/app/instructor.html" : "/app/";
      window.location.assign(safeNext(params.get("next")) || home);
    } catch (error) {
      $("signin").disabled = false;
      showError(error instanceof RequestError && error.status === 401
        ? "That name and password do not match an active account."
        : `Signing in did not work. ${error.message || ""}`);
      $("password").select();
    }
  });
  $("name").focus();
})();
