// Kiosk: services grouped by field, a priority path, the public catalog, and the ticket on
// screen (with its QR) while it prints. One tap, one ticket: taps are ignored while a request is
// in flight and each tap carries an Idempotency-Key, so a retried or repeated request gets the
// same ticket back. Any screen left alone returns to the Vietnamese start screen.
(function () {
  "use strict";
  const { $, fill, node } = onestop;
  const root = $("kiosk");
  const T = onestop.data("kiosk-strings");
  const locale = root.dataset.locale;
  const IDLE_MS = Number(root.dataset.idleSeconds) * 1000;
  const TICKET_MS = Number(root.dataset.ticketSeconds) * 1000;
  const FAILED_MS = Number(root.dataset.printFailedSeconds) * 1000;
  const PUBLIC_MS = Number(root.dataset.publicAfterSeconds) * 1000;
  const HEALTH_MS = 3000;

  const key = onestop.deviceKey("kioskKey");
  onestop.forgetParams("lang");  // the language is kept by its cookie: the address stays plain
  // Every call says which kiosk asks; the answers and failures are the shared client's.
  const api = onestop.client({ credentials: () => ({ "X-Device-Key": key || "" }) });

  let current = null, priority = null, pending = null, idleTimer = null, healthTimer = null;
  let online = true;

  const showError = (text) => onestop.say("kiosk-error", text);

  // ---- screens ------------------------------------------------------------------------
  function show(screen) {
    onestop.showOnly(".screen", screen);
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

  // Leaving the kiosk alone brings it back to the start screen (and to Vietnamese); a start
  // screen left alone longer shows the office's public figures until someone touches them.
  function armIdle() {
    clearTimeout(idleTimer);
    const onStart = !$("screen-start").hidden && priority === null && locale === "vi";
    if (current) return;  // the ticket screen has its own timer
    if (!onStart) idleTimer = setTimeout(resetToStart, IDLE_MS);
    else if (PUBLIC_MS > 0) idleTimer = setTimeout(showPublic, PUBLIC_MS);
  }
  function showPublic() {
    if (online && !pending) location.assign(root.dataset.publicUrl);
    else armIdle();
  }
  document.addEventListener("pointerdown", armIdle, { passive: true });

  // ---- requests -----------------------------------------------------------------------
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
      const group = node("section", "field-group");
      // A field with one service of the same name needs no heading of its own.
      if (name && !(list.length === 1 && serviceName(list[0]) === name)) {
        group.appendChild(node("h3", "field-title", name));
      }
      const grid = node("div", "service-grid");
      for (const s of list) grid.appendChild(serviceButton(s));
      group.appendChild(grid);
      groups.appendChild(group);
    }
  }

  function serviceButton(s) {
    const button = node("button", "service-button");
    button.type = "button";
    button.dataset.service = s.code;
    button.dataset.open = s.open ? "1" : "0";
    button.disabled = !s.open;
    button.append(
      node("span", "prefix", s.prefix),
      node("span", "name", serviceName(s)),
      node("span", "waiting", s.open ? fill(T.waiting, { n: s.waiting }) : T.closed),
    );
    button.addEventListener("click", () => take(s.code, button));
    return button;
  }

  function updateWaiting(waiting) {
    for (const button of document.querySelectorAll(".service-button")) {
      const n = waiting[button.dataset.service];
      if (n !== undefined && button.dataset.open === "1") {
        button.querySelector(".waiting").textContent = fill(T.waiting, { n });
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
    const options = { method: "POST", body, headers: { "Idempotency-Key": requestKey } };
    try {
      return await api("/api/v1/tickets", options);
    } catch (err) {
      if (err.code !== "network") throw err;
      await new Promise((resolve) => setTimeout(resolve, 800));
      return api("/api/v1/tickets", options);
    }
  }

  // A print's outcome may come over the socket before the ticket's own answer (a fast printer,
  // a slow network): kept here, by token, for the answer to pick up.
  const earlyPrints = new Map();
  const EARLY_KEPT = 20;

  function showTicket(t) {
    current = t;
    const printedBefore = earlyPrints.get(t.token);
    earlyPrints.clear();
    if (printedBefore) t.print.status = printedBefore;
    $("t-number").textContent = t.number;
    $("t-service").textContent = (locale === "en" && t.service_name_en) || t.service_name;
    onestop.say("t-priority", t.priority ? priorityLabel(t.priority) : "");
    $("t-ahead").textContent = fill(T.ahead, { n: t.waiting_ahead });
    $("t-wait").textContent = t.waiting_ahead > 0 ? fill(T.wait, { n: t.estimated_wait_minutes }) : T.wait_none;
    // The QR on screen is the paper's: the status link with the citizen's feedback key.
    const feedbackKey = new URL(t.status_url, location.href).searchParams.get("k") || "";
    $("t-qr").src = "/t/" + encodeURIComponent(t.token) + "/qr.svg?k=" + encodeURIComponent(feedbackKey);
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
    onestop.say("priority-chosen", code ? fill(T.priority_chosen, { name: priorityLabel(code) }) : "");
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
    onestop.show("screen-offline", !value);
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
      setOnline((await onestop.api("/healthz", { raw: true })).ok);
    } catch {
      setOnline(false);
    }
  }

  // ---- the printer: warn politely before a ticket is taken ------------------------------
  let myPrinter = null;
  function setPrinter(health) {
    const stopped = health && !health.ok;
    onestop.say("printer-notice", stopped ? (T["printer_" + health.status] || T.printer_offline) + " " + T.printer_still : "");
  }
  async function loadPrinter() {
    try {
      const health = await api("/api/v1/kiosk/printer");
      myPrinter = health.printer;
      setPrinter(health);
    } catch { /* the offline screen covers an unreachable server */ }
  }

  // ---- start --------------------------------------------------------------------------
  if (!key) { showError(T.no_key); return; }
  loadServices().catch((e) => (e.code === "network" ? setOnline(false) : showError(e.message)));

  const socket = io("/kiosk", { auth: { key }, transports: ["websocket", "polling"], tryAllTransports: true, reconnectionDelayMax: 3000 });
  socket.on("connect", () => { setOnline(true); loadPrinter(); });
  socket.on("disconnect", () => checkHealth());
  socket.on("connect_error", () => checkHealth());
  socket.on("queue_changed", (m) => updateWaiting(m.waiting));
  socket.on("printer_status", (m) => { if (m.printer === myPrinter) setPrinter(m); });
  socket.on("print_status", (m) => {
    if (current && m.token === current.token) {
      setPrintStatus(m.status);
      if (m.status === "failed") scheduleTicketEnd(FAILED_MS);
    } else {
      // Every kiosk of the office hears every print: keep the newest few.
      if (earlyPrints.size >= EARLY_KEPT) earlyPrints.delete(earlyPrints.keys().next().value);
      earlyPrints.set(m.token, m.status);
    }
  });
  start();
})();
