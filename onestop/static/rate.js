// Rating pad: idle it shows the counter and its officer; when the counter finishes a number the
// server pushes `rating_requested` and the pad asks the citizen. Every tap is sent at once (the
// reasons after "Không hài lòng" follow in a second request), so a citizen who walks away still
// leaves the answer. Unanswered, the pad records "no answer" and returns to idle. The pad never
// holds anything the officer waits for.
(function () {
  "use strict";
  const { $, fill, node } = onestop;
  const root = $("pad");
  const T = onestop.data("pad-strings");
  const ASK_MS = Number(root.dataset.padSeconds) * 1000;
  const REASON_MS = Number(root.dataset.reasonSeconds) * 1000;
  const THANKS_MS = Number(root.dataset.thanksSeconds) * 1000;
  const REFRESH_MS = 20000;

  const key = onestop.deviceKey("padKey");
  const api = onestop.client({ credentials: () => ({ "X-Device-Key": key || "" }) });

  let state = null, asking = null, answered = false, timer = null, countdown = null;

  const status = (text) => onestop.say("pad-status", text);
  const show = (screen) => onestop.showOnly(".screen", screen);
  const offline = () => status(onestop.strings.connection_lost);

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
    $("idle-officer").textContent = officer ? fill(vi.idle_officer, { officer }) : "";
    $("idle-officer-en").textContent = officer ? fill(en.idle_officer, { officer }) : "";
  }

  async function refresh() {
    try {
      state = await api("/api/v1/rating-pad/state");
    } catch (error) {
      if (error.status === 401) status(T.no_key);
      else if (error.status === 409) status(T.not_paired);
      else if (error.code === "network") offline();
      return;  // any other refusal: the next refresh looks again
    }
    status("");
    if (state.pending && (!asking || asking.token !== state.pending.token)) {
      ask(state.pending, state.pending.seconds_left * 1000);
    } else if (!asking) {
      idle();
    }
  }

  // ---- asking ---------------------------------------------------------------------------
  // A button in Vietnamese with its English below, for one of the pad's choices.
  function choice(className, vi, en, onClick) {
    const button = node("button", className, vi);
    button.type = "button";
    const small = node("span", "", en);
    small.lang = "en";
    button.appendChild(small);
    button.addEventListener("click", () => onClick(button));
    return button;
  }

  function ask(request, millis) {
    if (asking && !answered) send(asking, { score: "no_answer" });  // the next citizen came
    asking = request;
    answered = false;
    const vi = state.texts.vi, en = state.texts.en;
    $("ask-number").textContent = fill(T.number, { number: request.number });
    $("ask-question").textContent = vi.question;
    $("ask-question-en").textContent = en.question;
    $("ask-levels").replaceChildren(...vi.levels.map((level, i) => {
      const button = choice("level level-" + level.code, level.label, en.levels[i].label, () => choose(level.code));
      button.dataset.score = level.code;
      return button;
    }));
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

  // Never rejects: a refused answer (already rated, too late) is the server's to keep.
  async function send(request, body, method) {
    try {
      await api("/api/v1/tickets/" + encodeURIComponent(request.token) + "/rating", { method: method || "POST", body });
    } catch (error) {
      if (error.code === "network") offline();
    }
  }

  function choose(score) {
    if (!asking || answered) return;
    answered = true;
    const request = asking;
    const scored = send(request, { score });
    if (score === "unsatisfied") reasons(request, scored); else thanks();
  }

  // The reasons follow the score's request, never overtake it (they explain a stored score).
  function reasons(request, scored) {
    const vi = state.texts.vi, en = state.texts.en;
    $("reasons-question").textContent = vi.reasons_question;
    $("reasons-question-en").textContent = en.reasons_question;
    const list = $("reason-list");
    list.replaceChildren(...vi.reasons.map((reason, i) => {
      const button = choice("reason", reason.label, en.reasons[i].label, (pressed) => {
        pressed.setAttribute("aria-pressed", String(pressed.getAttribute("aria-pressed") !== "true"));
      });
      button.dataset.reason = reason.code;
      button.setAttribute("aria-pressed", "false");
      return button;
    }));
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
  const socket = io("/rating", { auth: { key }, transports: ["websocket", "polling"], tryAllTransports: true, reconnectionDelayMax: 3000 });
  socket.on("connect", refresh);
  socket.on("disconnect", offline);
  socket.on("connect_error", (err) => (err && err.message === "wrong_device_kind" ? status(T.not_paired) : offline()));
  socket.on("rating_requested", (request) => {
    if (!state) { refresh(); return; }
    if (request.officer) state.officer = request.officer;
    ask(request, ASK_MS);
  });
  // A missed push or a new officer at the counter: look again now and then while idle.
  setInterval(() => { if (!asking) refresh(); }, REFRESH_MS);
  refresh();
})();
