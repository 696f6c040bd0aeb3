// Kiosk: services grouped by field, a priority path, the public catalog, and the ticket on
// screen (with its QR) while it prints. One tap, one ticket: taps are ignored while a request is
// in flight and each tap carries an Idempotency-Key, so a retried or repeated request gets the
// same ticket back. Any screen left alone returns to the Vietnamese start screen.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = $("kiosk");
  const T = onestop.data("kiosk-strings");
  const fill = onestop.fill;
  const locale = root.dataset.locale;
  const IDLE_MS = Number(root.dataset.idleSeconds) * 1000;
  const TICKET_MS = Number(root.dataset.ticketSeconds) * 1000;
  const FAILED_MS = Number(root.dataset.printFailedSeconds) * 1000;
  const HEALTH_MS = 3000;

  const params = new URLSearchParams(location.search);
  if (params.get("key")) {
    localStorage.setItem("onestop.kioskKey", params.get("key"));
  }
  if (params.get("key") || params.get("lang")) {
    history.replaceState(null, "", location.pathname);  // keep the key out of the address bar
  }
  const key = localStorage.getItem("onestop.kioskKey");

  let current = null, priority = null, pending = null, idleTimer = null, healthTimer = null;
  let online = true;

  function showError(text) { const el = $("kiosk-error"); el.textContent = text || ""; el.hidden = !text; }

  // ---- screens ------------------------------------------------------------------------
  function show(screen) {
    for (const el of document.querySelectorAll(".screen")) el.hidden = el !== screen;
    window.scrollTo(0, 0);
    armIdle();
  }
  const start = () => show($("screen-start"));

  function resetToStart() {
    if (locale !== "vi" && online) { location.assign(location.pathname + "?lang=vi"); return; }
    current = null;
    setPriority(null);
    showError("");
    start();
  }

  // Leaving the kiosk alone brings it back to the start screen (and to Vietnamese).
  function armIdle() {
    clearTimeout(idleTimer);
    const onStart = !$("screen-start").hidden && priority === null && locale === "vi";
    if (onStart || current) return;  // the ticket screen has its own timer
    idleTimer = setTimeout(resetToStart, IDLE_MS);
  }
  document.addEventListener("pointerdown", armIdle, { passive: true });

  // ---- API ----------------------------------------------------------------------------
  async function api(path, options) {
    const headers = Object.assign({ "X-Device-Key": key || "", "Content-Type": "application/json" },
      (options && options.headers) || {});
    const response = await fetch(path, Object.assign({}, options, { headers: headers, cache: "no-store" }));
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((body && body.error && body.error.message) || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function newRequestKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);  // works on plain-http office LANs, unlike randomUUID
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- services -----------------------------------------------------------------------
  function serviceName(s) { return (locale === "en" && s.name_en) || s.name; }
  function fieldName(s) { return (locale === "en" && s.field_name_en) || s.field_name || ""; }

  function renderServices(services) {
    const groups = $("services");
    groups.replaceChildren();
    const byField = new Map();
    for (const s of services) {
      const name = fieldName(s);
      if (!byField.has(name)) byField.set(name, []);
      byField.get(name).push(s);
    }
    for (const [name, list] of byField) {
      const group = document.createElement("section");
      group.className = "field-group";
      // A field with one service of the same name needs no heading of its own.
      if (name && !(list.length === 1 && serviceName(list[0]) === name)) {
        const title = document.createElement("h3");
        title.className = "field-title";
        title.textContent = name;
        group.appendChild(title);
      }
      const grid = document.createElement("div");
      grid.className = "service-grid";
      for (const s of list) grid.appendChild(serviceButton(s));
      group.appendChild(grid);
      groups.appendChild(group);
    }
  }

  function serviceButton(s) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "service-button";
    button.dataset.service = s.code;
    button.dataset.open = s.open ? "1" : "0";
    button.disabled = !s.open;
    for (const part of ["prefix", "name", "waiting"]) {
      const span = document.createElement("span");
      span.className = part;
      button.appendChild(span);
    }
    button.querySelector(".prefix").textContent = s.prefix;
    button.querySelector(".name").textContent = serviceName(s);
    button.querySelector(".waiting").textContent = s.open ? fill(T.waiting, { n: s.waiting }) : T.closed;
    button.addEventListener("click", () => take(s.code, button));
    return button;
  }

  function updateWaiting(waiting) {
    for (const button of document.querySelectorAll(".service-button")) {
      const n = waiting[button.dataset.service];
      if (n !== undefined && button.dataset.open === "1") {
        button.querySelector(".waiting").textContent = fill(T.waiting, { n: n });
      }
    }
  }

  async function loadServices() {
    renderServices(await api("/api/v1/services"));
  }

  // ---- taking a ticket ----------------------------------------------------------------
  function setBusy(on) {
    for (const b of document.querySelectorAll(".service-button")) b.disabled = on || b.dataset.open !== "1";
    root.classList.toggle("is-busy", on);
  }

  async function take(code, button) {
    if (pending) return;  // one tap, one ticket: further taps wait for this answer
    pending = { service: code, key: newRequestKey() };
    button.classList.add("is-pressed");
    setBusy(true);
    showError("");
    try {
      const body = { service: code };
      if (priority) body.priority = priority;
      const ticket = await sendTicket(body, pending.key);
      showTicket(ticket);
    } catch (err) {
      if (!online) return;
      showError(fill(T.issue_failed, { reason: err.message }));
    } finally {
      pending = null;
      button.classList.remove("is-pressed");
      setBusy(false);
    }
  }

  // A lost answer is retried once with the same key: the server returns the same ticket.
  async function sendTicket(body, requestKey) {
    const options = { method: "POST", body: JSON.stringify(body), headers: { "Idempotency-Key": requestKey } };
    try {
      return await api("/api/v1/tickets", options);
    } catch (err) {
      if (err.status) throw err;
      await new Promise((resolve) => setTimeout(resolve, 800));
      return api("/api/v1/tickets", options);
    }
  }

  function showTicket(t) {
    current = t;
    $("t-number").textContent = t.number;
    $("t-service").textContent = (locale === "en" && t.service_name_en) || t.service_name;
    $("t-priority").hidden = !t.priority;
    $("t-priority").textContent = t.priority ? priorityLabel(t.priority) : "";
    $("t-ahead").textContent = fill(T.ahead, { n: t.waiting_ahead });
    $("t-wait").textContent = t.waiting_ahead > 0 ? fill(T.wait, { n: t.estimated_wait_minutes }) : T.wait_none;
    // The QR on screen is the paper's: the status link with the citizen's feedback key.
    const key = new URL(t.status_url, location.href).searchParams.get("k") || "";
    $("t-qr").src = "/t/" + encodeURIComponent(t.token) + "/qr.svg?k=" + encodeURIComponent(key);
    setPrintStatus(t.print.status);
    show($("screen-ticket"));
    clearTimeout(idleTimer);
    scheduleTicketEnd(t.print.status === "failed" ? FAILED_MS : TICKET_MS);
  }

  let ticketTimer = null;
  function scheduleTicketEnd(ms) { clearTimeout(ticketTimer); ticketTimer = setTimeout(resetToStart, ms); }

  function setPrintStatus(status) {
    const el = $("t-print");
    const text = { queued: T.printing, printed: T.printed, failed: T.print_failed }[status] || T.no_printer;
    el.textContent = text;
    el.className = "print-status print-" + status;
    $("screen-ticket").classList.toggle("print-failed", status === "failed");
  }

  // ---- priority -----------------------------------------------------------------------
  function priorityLabel(code) {
    const button = document.querySelector(".priority-button[data-priority='" + code + "']");
    return button ? button.textContent : code;
  }

  function setPriority(code) {
    priority = code;
    const note = $("priority-chosen");
    note.hidden = !code;
    note.textContent = code ? fill(T.priority_chosen, { name: priorityLabel(code) }) : "";
    $("open-priority").classList.toggle("is-on", Boolean(code));
  }

  $("open-priority").addEventListener("click", () => show($("screen-priority")));
  $("priority-none").addEventListener("click", () => { setPriority(null); start(); });
  for (const b of document.querySelectorAll(".priority-button")) {
    b.addEventListener("click", () => { setPriority(b.dataset.priority); start(); });
  }

  // ---- catalog ------------------------------------------------------------------------
  $("open-catalog").addEventListener("click", () => show($("screen-catalog")));
  for (const tab of document.querySelectorAll(".catalog-tab")) {
    tab.addEventListener("click", () => {
      for (const t of document.querySelectorAll(".catalog-tab")) t.setAttribute("aria-selected", String(t === tab));
      for (const list of document.querySelectorAll(".procedure-list")) list.hidden = list.dataset.field !== tab.dataset.field;
      armIdle();
    });
  }
  for (const b of document.querySelectorAll(".procedure-button")) {
    b.addEventListener("click", () => show(document.querySelector(".procedure-detail[data-procedure='" + b.dataset.procedure + "']")));
  }
  for (const b of document.querySelectorAll("[data-back]")) {
    b.addEventListener("click", () => (b.dataset.back === "catalog" ? show($("screen-catalog")) : start()));
  }
  $("t-done").addEventListener("click", resetToStart);

  // ---- language: a reload, only when the server is there to answer ------------------------
  for (const link of document.querySelectorAll(".lang")) {
    link.addEventListener("click", (e) => {
      e.preventDefault();
      if (online && link.dataset.lang !== locale) location.assign(location.pathname + "?lang=" + link.dataset.lang);
    });
  }

  // ---- clock --------------------------------------------------------------------------
  const tz = root.dataset.timezone;
  const dateFormat = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "vi-VN",
    { timeZone: tz, weekday: "long", day: "numeric", month: "numeric", year: "numeric" });
  const timeFormat = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "vi-VN",
    { timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false });
  function tick() {
    const now = new Date();
    $("clock-date").textContent = dateFormat.format(now);
    $("clock-time").textContent = timeFormat.format(now);
  }
  tick();
  setInterval(tick, 10000);

  // ---- offline: a clear screen that recovers by itself -------------------------------------
  function setOnline(value) {
    if (online === value) return;
    online = value;
    $("screen-offline").hidden = value;
    root.classList.toggle("is-offline", !value);
    if (value) {
      clearInterval(healthTimer);
      healthTimer = null;
      loadServices().catch((e) => showError(e.message));
    } else if (!healthTimer) {
      healthTimer = setInterval(checkHealth, HEALTH_MS);
    }
  }

  async function checkHealth() {
    try {
      const response = await fetch("/healthz", { cache: "no-store" });
      setOnline(response.ok);
    } catch (err) {
      setOnline(false);
    }
  }

  // ---- the printer: warn politely before a ticket is taken ------------------------------
  let myPrinter = null;
  function setPrinter(health) {
    const el = $("printer-notice");
    const stopped = health && !health.ok;
    el.textContent = stopped ? (T["printer_" + health.status] || T.printer_offline) + " " + T.printer_still : "";
    el.hidden = !stopped;
  }
  async function loadPrinter() {
    try {
      const health = await api("/api/v1/kiosk/printer");
      myPrinter = health.printer;
      setPrinter(health);
    } catch (err) { /* the offline screen covers an unreachable server */ }
  }

  // ---- start --------------------------------------------------------------------------
  if (!key) { showError(T.no_key); return; }
  loadServices().catch((e) => (e.status ? showError(e.message) : setOnline(false)));

  const socket = io("/kiosk", { auth: { key: key }, transports: ["websocket", "polling"], reconnectionDelayMax: 3000 });
  socket.on("connect", () => { setOnline(true); loadPrinter(); });
  socket.on("disconnect", () => checkHealth());
  socket.on("connect_error", () => checkHealth());
  socket.on("queue_changed", (m) => updateWaiting(m.waiting));
  socket.on("printer_status", (m) => { if (m.printer === myPrinter) setPrinter(m); });
  socket.on("print_status", (m) => {
    if (current && m.token === current.token) {
      setPrintStatus(m.status);
      if (m.status === "failed") scheduleTicketEnd(FAILED_MS);
    }
  });
  start();
})();
