// Counter screen: log in, pick a counter, call and serve numbers.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem("onestop.token");
  let socket = null, busy = false;
  const SHORTCUTS = { n: "call-next", r: "recall", s: "start", x: "no-show", f: "finish" };

  function showError(text) { const el = $("counter-error"); el.textContent = text; el.hidden = !text; }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ headers: {
      "Authorization": "Bearer " + (token || ""), "Content-Type": "application/json" } }, options));
    if (response.status === 401) { logout(); throw new Error("Phiên đăng nhập đã hết · Please log in again"); }
    const body = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error((body && body.error && body.error.message) || response.statusText);
    return body;
  }

  function counterNumber() { return $("counter-number").value; }

  function renderCurrent(ticket) {
    $("current-number").textContent = ticket ? ticket.number : "—";
    $("current-info").textContent = ticket ? (ticket.service_name + " · " + ticket.state + (ticket.priority ? " · ưu tiên" : "")) : "";
  }

  async function refresh() {
    const [counters, services] = await Promise.all([api("/api/v1/counters"), api("/api/v1/services")]);
    const select = $("counter-number");
    if (!select.options.length) {
      for (const c of counters) select.add(new Option("Quầy " + c.number + " (" + c.services.join(", ") + ")", c.number));
      const saved = localStorage.getItem("onestop.counter");
      if (saved && counters.some((c) => String(c.number) === saved)) select.value = saved;
      const transfer = $("transfer-service");
      for (const s of services) transfer.add(new Option(s.prefix + " — " + s.name, s.code));
    }
    const mine = counters.find((c) => String(c.number) === counterNumber());
    renderCurrent(mine && mine.current);
    const rows = $("waiting");
    rows.replaceChildren();
    for (const s of services) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td></td><td class='count'></td>";
      tr.firstChild.textContent = s.prefix + " — " + s.name;
      tr.lastChild.textContent = s.waiting;
      tr.dataset.service = s.code;
      rows.appendChild(tr);
    }
  }

  async function act(action, body) {
    if (busy) return;
    busy = true;
    document.querySelectorAll(".actions button, #btn-transfer").forEach((b) => { b.disabled = true; });
    showError("");
    try {
      const ticket = await api("/api/v1/counters/" + counterNumber() + "/" + action,
        { method: "POST", body: body ? JSON.stringify(body) : undefined });
      if (action === "call-next" && !ticket) showError("Không còn ai chờ · Nobody is waiting");
      await refresh();
    } catch (err) {
      showError(err.message);
    } finally {
      busy = false;
      document.querySelectorAll(".actions button, #btn-transfer").forEach((b) => { b.disabled = false; });
    }
  }

  function connect() {
    socket = io("/counter", { auth: { token: token }, transports: ["websocket", "polling"] });
    socket.on("connect", () => { $("conn").textContent = "Đã kết nối · Online"; $("conn").className = "conn conn-on"; refresh().catch((e) => showError(e.message)); });
    socket.on("disconnect", () => { $("conn").textContent = "Mất kết nối · Offline"; $("conn").className = "conn conn-off"; });
    socket.on("queue_changed", () => refresh().catch((e) => showError(e.message)));
  }

  function enterDesk(officer) {
    $("login").hidden = true;
    $("desk").hidden = false;
    if (officer) $("officer-name").textContent = officer;
    connect();
  }

  function logout() {
    sessionStorage.removeItem("onestop.token");
    token = null;
    if (socket) socket.disconnect();
    $("desk").hidden = true;
    $("login").hidden = false;
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    try {
      const response = await fetch("/api/v1/auth/token", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("username").value, password: $("password").value }) });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error.message);
      token = body.token;
      sessionStorage.setItem("onestop.token", token);
      sessionStorage.setItem("onestop.officer", body.officer.full_name || body.officer.username);
      enterDesk(sessionStorage.getItem("onestop.officer"));
    } catch (err) { showError("Đăng nhập không thành công · Login failed: " + err.message); }
  });
  $("logout").addEventListener("click", logout);
  $("counter-number").addEventListener("change", () => { localStorage.setItem("onestop.counter", counterNumber()); refresh(); });
  document.querySelectorAll(".actions button").forEach((b) => b.addEventListener("click", () => act(b.dataset.action)));
  $("btn-transfer").addEventListener("click", () => act("transfer", { service: $("transfer-service").value }));
  document.addEventListener("keydown", (e) => {
    if ($("desk").hidden || e.target.tagName === "INPUT" || e.target.tagName === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) return;
    const action = SHORTCUTS[e.key.toLowerCase()];
    if (action) { e.preventDefault(); act(action); }
  });

  if (token) enterDesk(sessionStorage.getItem("onestop.officer"));
})();
