// Counter screen: an officer logs in, picks a counter, then calls and serves numbers.
// HTTP is the source of truth: a Socket.IO event only means "something changed, fetch again",
// so a missed or duplicated event can never leave the screen wrong for long.
(function () {
  "use strict";
  const { $, fill, node } = onestop;
  const root = $("counter");
  const T = onestop.data("counter-strings");
  const PRIORITIES = onestop.data("counter-priorities");
  const NO_SHOW_AFTER = parseInt(root.dataset.noShowAfter, 10) || 3;
  const LANG = root.dataset.lang === "en" ? "en" : "vi";
  const NUMBER_LOCALE = LANG === "en" ? "en-GB" : "vi-VN";
  const SHORTCUTS = { n: "call-next", r: "recall", s: "start", x: "no-show", f: "finish" };
  const PUSHED = ["queue_changed", "ticket_issued", "ticket_called", "printer_status"];
  const KEY_TOKEN = "onestop.token", KEY_USER = "onestop.username", KEY_NAME = "onestop.officer";
  const KEY_COUNTER = "onestop.counter";

  const state = {
    token: sessionStorage.getItem(KEY_TOKEN),
    username: sessionStorage.getItem(KEY_USER) || "",
    counters: [], services: [], today: null, printers: [],
    busy: false,
    skewMs: 0, // server clock minus this PC's clock: office PCs are often minutes off
  };
  let socket = null, refreshing = null, refreshAgain = false, pushTimer = null, noticeTimer = null;

  const localName = (row, key) => (LANG === "en" && row[key + "_en"]) || row[key] || "";
  const number = (value) => Number(value).toLocaleString(NUMBER_LOCALE, { maximumFractionDigits: 1 });
  const minutes = (value) => (value === null || value === undefined ? "—" : fill(T.minutes, { n: number(value) }));

  // -- messages ---------------------------------------------------------------------------
  function showError(text) {
    $("counter-error-text").textContent = text || "";
    onestop.show("counter-error", Boolean(text));
  }
  function clearError() { showError(""); }
  function showNotice(text) {
    const el = onestop.say("counter-notice", text);
    clearTimeout(noticeTimer);
    if (text) noticeTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  function errorText(error) {
    return error ? error.message || String(error) : "";
  }

  // -- HTTP: the shared client with the officer's token; a 401 ends the session ------------
  const api = onestop.client({
    messages: T,  // err_<code>: this screen's words for the server's refusals
    credentials: () => ({ Authorization: "Bearer " + (state.token || "") }),
    onResponse: noteServerClock,
    onExpired: () => sessionExpired(),
  });

  function noteServerClock(response) {
    const date = Date.parse(response.headers.get("Date") || "");
    if (Number.isNaN(date)) return;
    // The header has whole seconds; only correct clocks that are clearly off.
    const skew = date + 500 - Date.now();
    state.skewMs = Math.abs(skew) > 2000 ? skew : 0;
  }

  // -- data -------------------------------------------------------------------------------
  function refresh() {
    if (refreshing) { refreshAgain = true; return refreshing; }
    refreshing = (async () => {
      try {
        // One failing read must not blank the others: show what came, then report the failure.
        const results = await Promise.allSettled([
          api("/api/v1/counters"), api("/api/v1/services"), api("/api/v1/officer/today"),
          api("/api/v1/printers"),
        ]);
        const [counters, services, today, printers] = results.map((r) => (r.status === "fulfilled" ? r.value : undefined));
        if (printers) state.printers = printers;
        if (counters) state.counters = counters;
        if (services) state.services = services;
        if (today) state.today = today;
        if (state.token) render();
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      } finally {
        refreshing = null;
      }
      if (refreshAgain) { refreshAgain = false; await refresh(); }
    })();
    return refreshing;
  }

  function refreshQuietly() {
    return refresh().catch((error) => { if (state.token) showError(errorText(error)); });
  }

  function pushed() {
    // Events come in bursts (a call sends ticket_called then queue_changed): fetch once.
    clearTimeout(pushTimer);
    pushTimer = setTimeout(refreshQuietly, 120);
  }

  function selectedCounter() { return $("counter-number").value; }
  function myCounter() { return state.counters.find((c) => String(c.number) === selectedCounter()) || null; }
  function current() { const mine = myCounter(); return (mine && mine.current) || null; }
  function serviceByCode(code) { return state.services.find((s) => s.code === code) || null; }

  // -- rendering --------------------------------------------------------------------------
  function render() {
    // The dossier desk (desk.js) follows the number being served.
    document.dispatchEvent(new CustomEvent("onestop:current", { detail: { ticket: current(), counter: selectedCounter() } }));
    renderPrinters();
    renderCounters();
    renderCurrent();
    renderWaiting();
    renderToday();
    if (!$("transfer").hidden) {
      if (current()) renderTransferTargets(); else closeTransfer();
    }
    updateButtons();
  }

  // A stopped kiosk printer means citizens leave with a number on screen only: say so here.
  function renderPrinters() {
    const stopped = state.printers.filter((p) => !p.ok && p.devices.length);
    onestop.say("printer-alert", stopped.map((p) => fill(T.printer_stopped, {
      devices: p.devices.join(", "), status: T["printer_" + p.status] || p.status,
    })).join(" "));
  }

  function renderCounters() {
    const select = $("counter-number");
    const chosen = select.value || localStorage.getItem(KEY_COUNTER) ||
      String((state.counters.find((c) => c.officer === state.username) || {}).number || "");
    const options = state.counters.map((c) => {
      let text = fill(T.counter_option, { n: c.number }) + " · " + c.services.join(", ");
      if (c.officer && c.officer !== state.username) text += " — " + fill(T.counter_in_use, { name: c.officer });
      if (!c.open) text += " — " + T.counter_closed;
      return [String(c.number), text];
    });
    // Rebuilding an open drop-down would close it under the officer's mouse: only on change.
    const signature = JSON.stringify(options);
    if (select.dataset.signature !== signature) {
      select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
      select.dataset.signature = signature;
    }
    if (state.counters.some((c) => String(c.number) === chosen)) select.value = chosen;
    if (select.value) localStorage.setItem(KEY_COUNTER, select.value);
  }

  function renderCurrent() {
    const ticket = current();
    const card = $("current");
    const st = ticket ? ticket.state : "idle";
    card.classList.remove("state-idle", "state-called", "state-serving");
    card.classList.add("state-" + (st === "serving" || st === "called" ? st : "idle"));
    $("current-number").textContent = ticket ? ticket.number : "—";
    $("current-empty").hidden = !!ticket;
    $("current-timer-row").hidden = !ticket;
    const badge = $("current-state");
    badge.hidden = !ticket;
    badge.textContent = ticket ? (st === "serving" ? T.state_serving : T.state_called) : "";
    if (ticket) {
      const service = serviceByCode(ticket.service);
      $("current-service").textContent = ticket.service + " — " + (service ? localName(service, "name") : ticket.service_name);
      $("timer-label").textContent = st === "serving" ? T.since_started : T.since_called;
    } else {
      $("current-service").textContent = "";
    }
    const recalls = ticket ? ticket.recall_count || 0 : 0;
    onestop.say("current-recalls", recalls ? fill(T.recalls, { n: recalls }) : "");
    const suggest = !!ticket && st === "called" && recalls >= NO_SHOW_AFTER;
    onestop.say("no-show-hint", suggest ? fill(T.suggest_no_show, { n: recalls + 1 }) : "");
    $("btn-no-show").classList.toggle("suggested", suggest);
    renderPriority(ticket);
    tick();
  }

  // The declared priority waits for the officer's check (null until confirmed or rejected).
  const priorityUnchecked = (ticket) => ticket.priority_confirmed === null || ticket.priority_confirmed === undefined;

  function renderPriority(ticket) {
    const box = $("priority-box");
    const declared = ticket && ticket.priority;
    box.hidden = !declared;
    if (!declared) return;
    $("priority-label").textContent = PRIORITIES[ticket.priority] || ticket.priority;
    const checked = ticket.priority_confirmed;
    const unchecked = priorityUnchecked(ticket);
    $("priority-actions").hidden = !unchecked;
    const result = $("priority-result");
    result.hidden = unchecked;
    result.textContent = unchecked ? "" : (checked ? T.priority_confirmed : T.priority_rejected);
    result.classList.toggle("confirmed", checked === true);
    result.classList.toggle("rejected", checked === false);
    box.classList.toggle("checked", !unchecked);
  }

  function renderWaiting() {
    const mine = myCounter();
    const own = new Set(mine ? mine.services : []);
    const rows = [];
    for (const s of state.services) {
      const tr = node("tr");
      tr.dataset.service = s.code;
      if (own.has(s.code)) tr.classList.add("mine");
      if (!s.open) tr.classList.add("closed");
      const name = node("td");
      name.appendChild(node("span", "service-name", s.prefix + " — " + localName(s, "name")));
      const fieldName = localName(s, "field_name");
      if (fieldName && fieldName !== localName(s, "name")) name.appendChild(node("span", "field-name", fieldName));
      const count = node("td", "count num", s.waiting);
      if (s.waiting > 0) tr.classList.add("has-waiting");
      const longest = node("td", "longest num", s.waiting > 0 ? minutes(s.longest_wait_minutes) : "—");
      if (s.waiting > 0 && s.longest_wait_minutes >= 20) longest.classList.add("late");
      tr.append(name, count, longest);
      rows.push(tr);
    }
    $("waiting").replaceChildren(...rows);
  }

  function renderToday() {
    const t = state.today;
    if (!t) return;
    $("today-served").textContent = t.served;
    $("today-no-show").textContent = t.no_show;
    $("today-transferred").textContent = t.transferred;
    $("today-wait").textContent = minutes(t.average_wait_minutes);
    $("today-service").textContent = minutes(t.average_service_minutes);
  }

  function updateButtons() {
    const ticket = current();
    const mine = myCounter();
    const st = ticket ? ticket.state : null;
    const active = st === "called" || st === "serving";
    const allowed = {
      "call-next": !!mine && mine.open && !ticket,
      recall: st === "called",
      start: st === "called",
      "no-show": st === "called",
      finish: active,
    };
    for (const [action, ok] of Object.entries(allowed)) {
      document.querySelector("[data-action='" + action + "']").disabled = state.busy || !ok;
    }
    $("btn-transfer-open").disabled = state.busy || !active;
    $("btn-reprint").hidden = !active;
    $("btn-reprint").disabled = state.busy;
    $("btn-transfer").disabled = state.busy || !active;
    const unchecked = !!ticket && !!ticket.priority && priorityUnchecked(ticket);
    $("btn-priority-yes").disabled = state.busy || !unchecked;
    $("btn-priority-no").disabled = state.busy || !unchecked;
    root.setAttribute("aria-busy", state.busy ? "true" : "false");
  }

  // -- the live timer ---------------------------------------------------------------------
  function clockText(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const two = (n) => String(n).padStart(2, "0");
    return (h ? h + ":" + two(m) : two(m)) + ":" + two(s);
  }

  function tick() {
    const ticket = current();
    const timer = $("current-timer");
    if (!ticket) { timer.textContent = "00:00"; timer.removeAttribute("datetime"); return; }
    const since = ticket.state === "serving" ? ticket.started_at : ticket.called_at;
    const start = Date.parse(since || "");
    if (Number.isNaN(start)) { timer.textContent = "—"; return; }
    const elapsed = Date.now() + state.skewMs - start;
    timer.textContent = clockText(elapsed);
    timer.setAttribute("datetime", since);
    // A called citizen who has not come after 3 minutes, or a long service, stands out.
    const limit = ticket.state === "serving" ? 20 * 60000 : 3 * 60000;
    timer.classList.toggle("late", elapsed >= limit);
  }

  // -- actions ----------------------------------------------------------------------------
  async function act(action, body) {
    if (state.busy) return;
    const counterNumber = selectedCounter();
    if (!counterNumber) { showError(T.choose_counter); return; }
    state.busy = true;
    updateButtons();
    clearError();
    try {
      const ticket = await api("/api/v1/counters/" + counterNumber + "/" + action, { method: "POST", body });
      localStorage.setItem(KEY_COUNTER, counterNumber);
      if (action === "call-next" && !ticket) showNotice(T.nobody);
      else if (action === "transfer") { showNotice(fill(T.transferred_to, { number: ticket.number })); closeTransfer(); }
      else showNotice("");
    } catch (error) {
      showError(errorText(error));
    } finally {
      state.busy = false;
    }
    // Whatever happened (success or a 409 from a stale screen), show the server's truth.
    if (state.token) await refreshQuietly();
    updateButtons();
  }

  async function reprint() {
    const ticket = current();
    if (!ticket || state.busy) return;
    clearError();
    try {
      // On this counter's printer where the desk has one (not the waiting room's kiosk).
      const here = localStorage.getItem("onestop.deskPrinter") || undefined;
      const job = await api("/api/v1/tickets/" + encodeURIComponent(ticket.token) + "/reprint", { method: "POST", body: { printer: here } });
      showNotice(fill(T.reprinted, { number: ticket.number, printer: job.printer }));
    } catch (error) {
      showError(errorText(error));
    }
  }

  function renderTransferTargets() {
    const select = $("transfer-target");
    const previous = select.value;
    const ticket = current();
    const mine = myCounter();
    select.replaceChildren();
    const services = node("optgroup");
    services.label = T.transfer_services;
    for (const s of state.services) {
      if (ticket && s.code === ticket.service) continue;
      services.appendChild(new Option(s.prefix + " — " + localName(s, "name"), "service:" + s.code));
    }
    const counters = node("optgroup");
    counters.label = T.transfer_counters;
    for (const c of state.counters) {
      if (mine && c.number === mine.number) continue;
      counters.appendChild(new Option(fill(T.counter_option, { n: c.number }) + " · " + c.services.join(", "), "counter:" + c.number));
    }
    select.append(services, counters);
    if ([...select.options].some((o) => o.value === previous)) select.value = previous;
  }

  function openTransfer() {
    if ($("btn-transfer-open").disabled) return;
    renderTransferTargets();
    $("transfer").hidden = false;
    $("btn-transfer-open").setAttribute("aria-expanded", "true");
    $("transfer-target").focus();
  }

  function closeTransfer() {
    const wasOpen = !$("transfer").hidden;
    $("transfer").hidden = true;
    $("btn-transfer-open").setAttribute("aria-expanded", "false");
    if (wasOpen && document.activeElement && $("transfer").contains(document.activeElement)) {
      document.activeElement.blur();
    }
  }

  function submitTransfer() {
    const value = $("transfer-target").value;
    if (!value) return;
    const [kind, target] = value.split(":");
    act("transfer", kind === "counter" ? { counter: Number(target) } : { service: target });
  }

  // -- realtime ---------------------------------------------------------------------------
  function setConn(kind) {
    const el = $("conn");
    el.className = "conn " + { online: "conn-on", offline: "conn-off", reconnecting: "conn-wait" }[kind];
    el.textContent = onestop.strings[kind];
  }

  function connect() {
    if (socket) { socket.disconnect(); socket = null; }
    setConn("reconnecting");
    const s = io("/counter", {
      auth: { token: state.token }, transports: ["websocket", "polling"], tryAllTransports: true,
      reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
    });
    socket = s;
    s.on("connect", () => { setConn("online"); refreshQuietly(); });
    s.on("disconnect", (reason) => {
      if (reason === "io client disconnect") { setConn("offline"); return; }
      setConn("reconnecting");
      // After a server-side disconnect the client does not retry by itself.
      if (reason === "io server disconnect") setTimeout(() => { if (socket === s) s.connect(); }, 2000);
    });
    s.on("connect_error", () => {
      if (s.active) { setConn("reconnecting"); return; }
      // Refused by the server: most likely the token expired. HTTP tells (a 401 logs out).
      setConn("offline");
      refresh()
        .then(() => setTimeout(() => { if (socket === s && !s.connected) { setConn("reconnecting"); s.connect(); } }, 3000))
        .catch((error) => { if (state.token) showError(errorText(error)); setTimeout(() => { if (socket === s && state.token) s.connect(); }, 5000); });
    });
    s.io.on("reconnect_attempt", () => setConn("reconnecting"));
    for (const name of PUSHED) s.on(name, pushed);
  }

  // -- session ----------------------------------------------------------------------------
  function enterDesk() {
    $("login").hidden = true;
    $("desk").hidden = false;
    $("conn").hidden = false;
    $("officer-name").textContent = sessionStorage.getItem(KEY_NAME) || state.username;
    onestop.showOffice();
    // Until the counters have been read, no action fits: a click at once (a fast officer, a
    // keyboard shortcut) must wait for them, not meet an empty choice of counter.
    updateButtons();
    connect();
  }

  function leaveDesk(message) {
    sessionStorage.removeItem(KEY_TOKEN);
    state.token = null;
    if (socket) { const s = socket; socket = null; s.disconnect(); }
    setConn("offline");
    closeTransfer();
    $("desk").hidden = true;
    $("conn").hidden = true;
    $("login").hidden = false;
    showNotice("");
    showError(message || "");
    $("password").value = "";
    $("username").value = state.username;
    (state.username ? $("password") : $("username")).focus();
  }

  function sessionExpired() {
    if (state.token) leaveDesk(onestop.strings.session_expired);
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    clearError();
    $("login-button").disabled = true;
    try {
      const body = await api("/api/v1/auth/token", {
        method: "POST", anonymous: true,
        body: { username: $("username").value.trim().normalize("NFC"), password: $("password").value },
      });
      state.token = body.token;
      state.username = body.officer.username;
      sessionStorage.setItem(KEY_TOKEN, body.token);
      sessionStorage.setItem(KEY_USER, body.officer.username);
      sessionStorage.setItem(KEY_NAME, body.officer.full_name || body.officer.username);
      onestop.showOffice(body.office);
      $("password").value = "";
      enterDesk();
    } catch (error) {
      showError(errorText(error));  // a wrong password is the shared err_invalid_credentials
    } finally {
      $("login-button").disabled = false;
    }
  });

  // -- wiring -----------------------------------------------------------------------------
  $("logout").addEventListener("click", () => leaveDesk(""));
  $("counter-error-close").addEventListener("click", clearError);
  $("counter-number").addEventListener("change", () => {
    localStorage.setItem(KEY_COUNTER, selectedCounter());
    closeTransfer();
    render();
    refreshQuietly();
  });
  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => act(b.dataset.action)));
  $("btn-transfer-open").addEventListener("click", () => ($("transfer").hidden ? openTransfer() : closeTransfer()));
  $("btn-reprint").addEventListener("click", reprint);
  document.addEventListener("onestop:refresh", refreshQuietly);
  // The dossier desk (desk.js) talks to the server and to the officer through these.
  window.onestopCounter = Object.freeze({ api, showError, showNotice });
  $("btn-transfer-cancel").addEventListener("click", closeTransfer);
  $("transfer").addEventListener("submit", (e) => { e.preventDefault(); submitTransfer(); });
  $("transfer-target").addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); submitTransfer(); }
  });
  $("btn-priority-yes").addEventListener("click", () => act("priority", { confirmed: true }));
  $("btn-priority-no").addEventListener("click", () => act("priority", { confirmed: false }));

  document.addEventListener("keydown", (e) => {
    if ($("desk").hidden || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (e.key === "Escape") {
      if (!$("transfer").hidden) { e.preventDefault(); closeTransfer(); }
      return;
    }
    const target = e.target;
    if (target && (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) || target.isContentEditable)) return;
    const key = (e.key || "").toLowerCase();
    if (key === "t") { e.preventDefault(); openTransfer(); return; }
    const action = SHORTCUTS[key];
    if (!action) return;
    e.preventDefault();
    const button = document.querySelector("[data-action='" + action + "']");
    if (!button.disabled) act(action);
  });

  setInterval(tick, 1000);
  // The "longest wait" minutes grow with no event: re-read them now and then.
  setInterval(() => { if (state.token && socket && socket.connected) refreshQuietly(); }, 30000);

  setConn("offline");
  if (state.token) enterDesk();
})();
