// Rating pad: idle it shows the counter and its officer; when the counter finishes a number the
// server pushes `rating_requested` and the pad asks the citizen. Every tap is sent at once (the
// reasons after "Không hài lòng" follow in a second request), so a citizen who walks away still
// leaves the answer. Unanswered, the pad records "no answer" and returns to idle. The pad never
// holds anything the officer waits for.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = $("pad");
  const T = onestop.data("pad-strings");
  const fill = onestop.fill;
  const ASK_MS = Number(root.dataset.padSeconds) * 1000;
  const REASON_MS = Number(root.dataset.reasonSeconds) * 1000;
  const THANKS_MS = Number(root.dataset.thanksSeconds) * 1000;
  const REFRESH_MS = 20000;

  const params = new URLSearchParams(location.search);
  if (params.get("key")) {
    localStorage.setItem("onestop.padKey", params.get("key"));
    history.replaceState(null, "", location.pathname);  // keep the key out of the address bar
  }
  const key = localStorage.getItem("onestop.padKey");

  let state = null, asking = null, answered = false, timer = null, countdown = null;

  function status(text) { const el = $("pad-status"); el.textContent = text || ""; el.hidden = !text; }

  function show(screen) {
    for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== screen;
  }

  async function api(path, method, body) {
    const response = await fetch(path, {
      method: method || "GET",
      headers: { "X-Device-Key": key || "", "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    return { status: response.status, data: data };
  }

  // ---- idle -----------------------------------------------------------------------------
  function idle() {
    clearTimeout(timer);
    clearInterval(countdown);
    asking = null;
    show("pad-idle");
    if (!state) return;
    const vi = state.texts.vi, en = state.texts.en;
    $("idle-counter").textContent = fill(vi.idle_counter, { counter: state.counter });
    $("idle-counter-en").textContent = fill(en.idle_counter, { counter: state.counter });
    const officer = state.officer || "";
    $("idle-officer").textContent = officer ? fill(vi.idle_officer, { officer: officer }) : "";
    $("idle-officer-en").textContent = officer ? fill(en.idle_officer, { officer: officer }) : "";
  }

  async function refresh() {
    try {
      const answer = await api("/api/v1/rating-pad/state");
      if (answer.status === 401) { status(T.no_key); return; }
      if (answer.status === 409) { status(T.not_paired); return; }
      if (answer.status !== 200) return;
      state = answer.data;
      status("");
      if (state.pending && (!asking || asking.token !== state.pending.token)) {
        ask(state.pending, state.pending.seconds_left * 1000);
      } else if (!asking) {
        idle();
      }
    } catch (err) {
      status(T.offline);
    }
  }

  // ---- asking ---------------------------------------------------------------------------
  function label(button, vi, en) {
    button.textContent = vi;
    const small = document.createElement("span");
    small.lang = "en";
    small.textContent = en;
    button.appendChild(small);
  }

  function ask(request, millis) {
    if (asking && !answered) send(asking, { score: "no_answer" });  // the next citizen came
    asking = request;
    answered = false;
    const vi = state.texts.vi, en = state.texts.en;
    $("ask-number").textContent = fill(T.number, { number: request.number });
    $("ask-question").textContent = vi.question;
    $("ask-question-en").textContent = en.question;
    const levels = $("ask-levels");
    levels.replaceChildren();
    vi.levels.forEach((level, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "level level-" + level.code;
      button.dataset.score = level.code;
      label(button, level.label, en.levels[i].label);
      button.addEventListener("click", () => choose(level.code));
      levels.appendChild(button);
    });
    show("pad-ask");
    wait(millis || ASK_MS, () => { send(request, { score: "no_answer" }); idle(); });
  }

  function wait(millis, then) {
    clearTimeout(timer);
    clearInterval(countdown);
    const end = Date.now() + millis;
    const bar = $("ask-countdown");
    const tick = () => { bar.style.width = Math.max(0, (end - Date.now()) / millis * 100) + "%"; };
    tick();
    countdown = setInterval(tick, 250);
    timer = setTimeout(then, millis);
  }

  async function send(request, body, method) {
    try {
      await api("/api/v1/tickets/" + encodeURIComponent(request.token) + "/rating", method || "POST", body);
    } catch (err) {
      status(T.offline);
    }
  }

  function choose(score) {
    if (!asking || answered) return;
    answered = true;
    const request = asking;
    const scored = send(request, { score: score });
    if (score === "unsatisfied") reasons(request, scored); else thanks();
  }

  // The reasons follow the score's request, never overtake it (they explain a stored score).
  function reasons(request, scored) {
    const vi = state.texts.vi, en = state.texts.en;
    $("reasons-question").textContent = vi.reasons_question;
    $("reasons-question-en").textContent = en.reasons_question;
    const list = $("reason-list");
    list.replaceChildren();
    vi.reasons.forEach((reason, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reason";
      button.dataset.reason = reason.code;
      button.setAttribute("aria-pressed", "false");
      label(button, reason.label, en.reasons[i].label);
      button.addEventListener("click", () => {
        const on = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", String(on));
      });
      list.appendChild(button);
    });
    $("reasons-send").onclick = () => {
      const chosen = [...list.querySelectorAll("[aria-pressed=true]")].map((b) => b.dataset.reason);
      if (chosen.length) scored.then(() => send(request, { reasons: chosen }, "PATCH"));
      thanks();
    };
    $("reasons-skip").onclick = thanks;
    show("pad-reasons");
    wait(REASON_MS, thanks);
  }

  function thanks() {
    clearInterval(countdown);
    $("thanks").textContent = state.texts.vi.thanks;
    $("thanks-en").textContent = state.texts.en.thanks;
    show("pad-thanks");
    clearTimeout(timer);
    timer = setTimeout(() => { asking = null; idle(); refresh(); }, THANKS_MS);
  }

  // ---- realtime -------------------------------------------------------------------------
  if (!key) { status(T.no_key); return; }
  const socket = io("/rating", { auth: { key: key }, transports: ["websocket", "polling"], reconnectionDelayMax: 3000 });
  socket.on("connect", refresh);
  socket.on("disconnect", () => status(T.offline));
  socket.on("connect_error", (err) => status(err && err.message === "wrong_device_kind" ? T.not_paired : T.offline));
  socket.on("rating_requested", (request) => {
    if (!state) { refresh(); return; }
    if (request.officer) state.officer = request.officer;
    ask(request, ASK_MS);
  });
  // A missed push or a new officer at the counter: look again now and then while idle.
  setInterval(() => { if (!asking) refresh(); }, REFRESH_MS);
  refresh();
})();
