// Back office: the staff session every back-office page shares (login form, token kept for the
// browser tab, logout on an expired token) and the shared API client with it.
window.onestopAdmin = (function () {
  "use strict";
  const { $, say } = onestop;
  const T = onestop.data("admin-session-strings");
  const KEY = "onestop.adminToken";
  let token = sessionStorage.getItem(KEY);
  let onEnter = () => {};

  function logOut(message) {
    sessionStorage.removeItem(KEY);
    token = null;
    $("admin-content").hidden = true;
    $("login").hidden = false;
    say("admin-error", message);
  }

  const api = onestop.client({
    messages: T, // err_<code>: the back office's words for the server's refusals
    credentials: () => (token ? { Authorization: "Bearer " + token } : {}),
    onExpired: () => logOut(onestop.strings.session_expired),
  });

  function enter() {
    onestop.showOffice();
    $("login").hidden = true;
    $("admin-content").hidden = false;
    onEnter();
  }

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    say("admin-error", "");
    $("login-button").disabled = true;
    try {
      const body = await api("/api/v1/auth/token", { method: "POST", anonymous: true,
        body: { username: $("username").value.trim().normalize("NFC"), password: $("password").value } });
      token = body.token;
      sessionStorage.setItem(KEY, token);
      onestop.showOffice(body.office);
      $("password").value = "";
      enter();
    } catch (error) {
      say("admin-error", error.message); // a wrong password is the shared err_invalid_credentials
    } finally {
      $("login-button").disabled = false;
    }
  });

  return Object.freeze({
    api,
    loggedIn: () => Boolean(token),
    // The page's own start: called once logged in (at once when a token is kept).
    start: (callback) => { onEnter = callback; if (token) enter(); },
  });
})();
