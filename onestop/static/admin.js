// Back office: the staff session every back-office page shares (login form, token kept for the
// browser tab, logout on an expired token) and the JSON API call with it.
window.onestopAdmin = (function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = onestop.data("admin-session-strings");
  const KEY = "onestop.adminToken";
  let token = sessionStorage.getItem(KEY);
  let onEnter = () => {};

  function banner(id, text) { $(id).textContent = text || ""; $(id).hidden = !text; }

  function logOut(message) {
    sessionStorage.removeItem(KEY);
    token = null;
    $("admin-content").hidden = true;
    $("login").hidden = false;
    banner("admin-error", message);
  }

  async function api(path, options) {
    const opts = options || {};
    const headers = { "Content-Type": "application/json" };
    if (token && !opts.anonymous) headers.Authorization = "Bearer " + token;
    let response;
    try {
      response = await fetch(path, { method: opts.method || "GET", headers, cache: "no-store",
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    } catch (_) {
      throw new Error(T.network);
    }
    if (response.status === 401 && !opts.anonymous) { logOut(T.session_expired); throw new Error(T.session_expired); }
    if (opts.raw) return response;
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (body && body.error) || {};
      throw new Error(T["err_" + error.code] || error.message || response.statusText);
    }
    return body;
  }

  function enter() {
    $("login").hidden = true;
    $("admin-content").hidden = false;
    onEnter();
  }

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    banner("admin-error", "");
    $("login-button").disabled = true;
    try {
      const body = await api("/api/v1/auth/token", { method: "POST", anonymous: true,
        body: { username: $("username").value.trim().normalize("NFC"), password: $("password").value } });
      token = body.token;
      sessionStorage.setItem(KEY, token);
      $("password").value = "";
      enter();
    } catch (error) {
      banner("admin-error", error.message.includes("password") ? T.login_failed : error.message);
    } finally {
      $("login-button").disabled = false;
    }
  });

  return Object.freeze({
    api: api,
    banner: banner,
    loggedIn: () => Boolean(token),
    // The page's own start: called once logged in (at once when a token is kept).
    start: (callback) => { onEnter = callback; if (token) enter(); },
  });
})();
