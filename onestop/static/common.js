// The page client every page script is built on (window.onestop): elements found and shown, the
// data blocks the server renders in the page's language, the JSON API with one error type, and
// the key a device is opened with. What differs from page to page (a staff login that expires, a
// kiosk's offline screen, a retried ticket) is built on top of this, never beside a copy of it.
(function () {
  "use strict";

  const NETWORK = "network"; // the error code of a request that got no answer at all

  const $ = (id) => document.getElementById(id);
  const element = (target) => (typeof target === "string" ? $(target) : target);

  // The JSON of <script type="application/json" id="…">.
  function data(id) {
    const block = $(id);
    if (!block) throw new Error("this page has no #" + id + " data block");
    return JSON.parse(block.textContent);
  }

  // fill("Waiting: {n}", {n: 3}) → "Waiting: 3"; an unknown {name} is left as it is.
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));

  // The words several pages share (the core's page_client.html: connection states, the
  // client's own errors), read when first needed, so a page that never asks carries none.
  let shared = null;
  function sharedStrings() {
    if (!shared) shared = Object.freeze(data("client-strings"));
    return shared;
  }

  // ---- showing --------------------------------------------------------------------------
  // show("id") or show(element, false): visible or not, through the hidden attribute.
  function show(target, visible = true) {
    const el = element(target);
    el.hidden = !visible;
    return el;
  }

  // say("banner", text): a banner or status line shows its text, and only while it has one.
  function say(target, text) {
    const el = element(target);
    el.textContent = text || "";
    el.hidden = !text;
    return el;
  }

  // showOnly(".screen", screen): one element of a group is shown, the others are hidden.
  function showOnly(selector, chosen) {
    const target = element(chosen);
    for (const el of document.querySelectorAll(selector)) el.hidden = el !== target;
    return target;
  }

  // node("td", "count num", 3): a new element with its class and its text.
  function node(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = text;
    return el;
  }

  // row(["A001", "08:15", button]): a table row, one cell for each text or element.
  function row(cells) {
    const tr = node("tr");
    for (const content of cells) {
      const td = node("td");
      if (content instanceof Node) td.appendChild(content);
      else td.textContent = content;
      tr.appendChild(td);
    }
    return tr;
  }

  // ---- the JSON API ---------------------------------------------------------------------
  // Every failure of a call is one of these. status is the HTTP status (0: no answer came) and
  // code the server's error code ("network" when no answer came); message is for people.
  class ApiError extends Error {
    constructor(message, status, code) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.code = code;
    }
  }

  // A page's own words come first (its data block's err_<code>, network, session_expired), then
  // the shared ones.
  const word = (messages, key) => (messages && messages[key]) || sharedStrings()[key] || "";

  async function readJson(response) {
    if (response.status === 204) return null;
    try {
      return await response.json();
    } catch {
      return null; // an empty or non-JSON answer (a proxy's error page)
    }
  }

  // api(path, options) → the answer's JSON (null for 204), or rejects with ApiError. Options:
  //   method, headers    as for fetch (GET by default; JSON is sent and asked for)
  //   body               a value sent as JSON
  //   raw                resolve with the Response itself (an image, a file), whatever its status
  //   messages           the page's words, looked up before the shared ones (see word)
  //   credentials        () => the headers that say who asks (a staff token, a device key)
  //   anonymous          leave the credentials out of this one call (a login)
  //   onResponse         (response) => …, for every answer that came
  //   onExpired          () => …, when a call that carried credentials gets a 401
  async function api(path, options = {}) {
    const withCredentials = Boolean(options.credentials) && !options.anonymous;
    const headers = {
      "Content-Type": "application/json",
      ...(withCredentials ? options.credentials() : {}),
      ...options.headers,
    };
    let response;
    try {
      response = await fetch(path, {
        method: options.method || "GET",
        headers,
        cache: "no-store",
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(word(options.messages, NETWORK), 0, NETWORK);
    }
    if (options.onResponse) options.onResponse(response);
    if (response.status === 401 && withCredentials && options.onExpired) {
      const body = await readJson(response);
      options.onExpired();
      const code = (body && body.error && body.error.code) || "invalid_token";
      throw new ApiError(word(options.messages, "session_expired"), 401, code);
    }
    if (options.raw) return response;
    const body = await readJson(response);
    if (response.ok) return body;
    const error = (body && body.error) || {};
    const code = error.code || "http_" + response.status;
    const message = word(options.messages, "err_" + code) || error.message || response.statusText;
    throw new ApiError(message, response.status, code);
  }

  // client({credentials, messages, …}): api with these options on every call; a call's own
  // options come on top (its headers replace the client's: keep standing ones in credentials).
  const client = (defaults) => (path, options) => api(path, { ...defaults, ...options });

  // ---- the address bar and a device's key -----------------------------------------------
  // Takes these query parameters out of the address bar (without a reload).
  function forgetParams(...names) {
    const url = new URL(location.href);
    const present = names.filter((name) => url.searchParams.has(name));
    if (!present.length) return;
    for (const name of present) url.searchParams.delete(name);
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }

  // A device (kiosk, rating pad) is opened once as …?key=KEY: the key is kept in this browser as
  // onestop.<name> and taken out of the address bar, where anyone could read it off the screen.
  // Returns the kept key, or null when this browser was never given one.
  function deviceKey(name) {
    const storedAs = "onestop." + name;
    const given = new URLSearchParams(location.search).get("key");
    if (given) localStorage.setItem(storedAs, given);
    forgetParams("key");
    return localStorage.getItem(storedAs);
  }

  // ---- the signed-in officer's office ------------------------------------------------------
  // A staff page is served for the server's own office; once an officer of another office of
  // the deployment signs in, it names theirs (kept for the tab, like the token). Call with the
  // login answer's office, or with nothing to show the one kept.
  const OFFICE_KEY = "onestop.officeName";
  function showOffice(office) {
    if (office) sessionStorage.setItem(OFFICE_KEY, office.name);
    const name = sessionStorage.getItem(OFFICE_KEY);
    if (!name) return;
    document.querySelectorAll(".office-name").forEach((shown) => { shown.textContent = name; });
    const cut = document.title.lastIndexOf(" — ");
    document.title = (cut >= 0 ? document.title.slice(0, cut) : document.title) + " — " + name;
  }

  window.onestop = Object.freeze({
    $,
    show,
    say,
    showOnly,
    node,
    row,
    data,
    fill,
    get strings() {
      return sharedStrings();
    },
    ApiError,
    api,
    client,
    deviceKey,
    forgetParams,
    showOffice,
  });
})();
