// Kiosk: pick a service, get the ticket on screen with its QR while it prints.
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  if (params.get("key")) {
    localStorage.setItem("onestop.kioskKey", params.get("key"));
    history.replaceState(null, "", location.pathname);  // keep the key out of the address bar
  }
  const key = localStorage.getItem("onestop.kioskKey");
  const $ = (id) => document.getElementById(id);
  const RETURN_MS = 20000, RETURN_FAILED_MS = 60000;
  let current = null, returnTimer = null, busy = false;

  function showError(text) { const el = $("kiosk-error"); el.textContent = text; el.hidden = !text; }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ headers: {
      "X-Device-Key": key || "", "Content-Type": "application/json" } }, options));
    const body = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error((body && body.error && body.error.message) || response.statusText);
    return body;
  }

  function renderServices(services) {
    const grid = $("services");
    grid.replaceChildren();
    for (const s of services) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "service-button";
      button.dataset.service = s.code;
      button.disabled = !s.open;
      button.innerHTML = "<span class='prefix'></span><span class='name'></span><span class='name-en'></span><span class='waiting'></span>";
      button.querySelector(".prefix").textContent = s.prefix;
      button.querySelector(".name").textContent = s.name;
      button.querySelector(".name-en").textContent = s.name_en;
      button.querySelector(".waiting").textContent = "Đang chờ · Waiting: " + s.waiting;
      button.addEventListener("click", () => take(s.code));
      grid.appendChild(button);
    }
  }

  function updateWaiting(waiting) {
    for (const button of document.querySelectorAll(".service-button")) {
      const n = waiting[button.dataset.service];
      if (n !== undefined) button.querySelector(".waiting").textContent = "Đang chờ · Waiting: " + n;
    }
  }

  function printText(status) {
    if (status === "printed") return "Vé đã in · Ticket printed";
    if (status === "failed") return "Máy in đang lỗi — vui lòng chụp mã QR này · The printer failed — please photograph this QR code";
    if (status === "queued") return "Đang in… · Printing…";
    return "";
  }

  async function take(code) {
    if (busy) return;  // one tap, one ticket
    busy = true;
    showError("");
    try {
      const body = { service: code };
      if ($("priority-on").checked) body.priority = $("priority-class").value;
      const t = await api("/api/v1/tickets", { method: "POST", body: JSON.stringify(body) });
      current = t;
      $("t-service").textContent = t.service_name;
      $("t-number").textContent = t.number;
      $("t-ahead").textContent = "Số người chờ trước bạn · People ahead: " + t.waiting_ahead;
      $("t-wait").textContent = "Thời gian chờ dự kiến · Estimated wait: ~" + t.estimated_wait_minutes + " phút/min";
      $("t-qr").src = "/t/" + encodeURIComponent(t.token) + "/qr.svg";
      $("t-print").textContent = printText(t.print.status);
      $("choose").hidden = true;
      $("ticket").hidden = false;
      scheduleReturn(RETURN_MS);
    } catch (err) {
      showError("Không lấy được số · Could not issue a ticket: " + err.message);
    } finally {
      busy = false;
    }
  }

  function scheduleReturn(ms) { clearTimeout(returnTimer); returnTimer = setTimeout(reset, ms); }

  function reset() {
    current = null;
    $("ticket").hidden = true;
    $("choose").hidden = false;
    $("priority-on").checked = false;
    $("priority-class").hidden = true;
  }

  $("priority-on").addEventListener("change", (e) => { $("priority-class").hidden = !e.target.checked; });
  $("t-done").addEventListener("click", reset);

  if (!key) { showError("Kiosk chưa được đăng ký (thiếu khoá thiết bị) · This kiosk has no device key"); return; }
  api("/api/v1/services").then(renderServices).catch((e) => showError(e.message));

  const socket = io("/kiosk", { auth: { key: key }, transports: ["websocket", "polling"] });
  socket.on("queue_changed", (m) => updateWaiting(m.waiting));
  socket.on("print_status", (m) => {
    if (current && m.token === current.token) {
      $("t-print").textContent = printText(m.status);
      if (m.status === "failed") scheduleReturn(RETURN_FAILED_MS);
    }
  });
})();
