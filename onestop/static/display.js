// Waiting-room display: the snapshot on every (re)connect, then pushed events; a seq gap that is
// not filled within a moment means the display missed something, so it fetches the snapshot
// again instead of guessing. (Pushes from several server processes, or two requests that commit
// together, may come a little out of order: the missing seq is usually just behind.)
//
// Words come from #display-strings and settings from #display-config (JSON data blocks rendered by
// the server in the page's language), so nothing here is Vietnamese or English.
(function () {
  "use strict";
  const { $, fill, node } = onestop;
  const strings = onestop.data("display-strings");
  const config = onestop.data("display-config");
  const english = config.locale === "en";
  const onlyCounters = new Set(config.counters || []);
  const onlyServices = new Set(config.services || []);
  const sameCall = (a, b) => !!(a && b && a.counter === b.counter && a.number === b.number);

  let state = { now_serving: [], recent: [], waiting: {}, counters: [], counter_services: {}, services: {}, notices: [] };
  let lastSeq = -1; // the newest seq applied
  let baseSeq = -1; // the seq of the last snapshot: events up to it are already in it
  let syncing = false;
  let droppedMax = -1; // the newest seq dropped while a snapshot was on its way
  const missing = new Set(); // seqs skipped over, waited for a moment before a fresh snapshot
  let gapTimer = null;
  const GAP_WAIT_MS = 1000;
  const GAP_MAX = 50; // a jump wider than this is not waited for
  let countsSeq = -1; // the seq of the waiting counts shown (an older push never replaces them)
  let noticesSeq = -1;
  let latest = null; // the newest call of this area: highlighted
  let flashing = null; // the call that flashes right now
  let flashTimer = 0;
  const seenCounters = new Set(); // counters that called in this area (for a services-only area)

  // --- the area this screen covers (?counters=1,2 and/or ?services=A,B) -----------------------

  function inArea(call) {
    return (
      (!onlyCounters.size || onlyCounters.has(call.counter)) &&
      (!onlyServices.size || onlyServices.has(call.service))
    );
  }

  function serviceName(code) {
    const service = state.services[code];
    if (!service) return code;
    return english ? service.name_en || service.name : service.name;
  }

  // The snapshot's {counter: [service codes]}: the queues a counter serves.
  const servedBy = (counter) => state.counter_services[String(counter)] || [];

  function areaServices() {
    const all = Object.keys(state.services);
    if (onlyServices.size) return all.filter((code) => onlyServices.has(code));
    if (onlyCounters.size) {
      const served = new Set([...onlyCounters].flatMap(servedBy));
      return all.filter((code) => served.has(code));
    }
    return all;
  }

  function boardCounters() {
    if (onlyCounters.size) return [...onlyCounters].sort((a, b) => a - b);
    const shown = new Set(state.counters);
    for (const call of state.now_serving) if (inArea(call)) shown.add(call.counter);
    let list = [...shown];
    if (onlyServices.size) {
      list = list.filter(
        (c) => seenCounters.has(c) || servedBy(c).some((code) => onlyServices.has(code)),
      );
    }
    return list.sort((a, b) => a - b);
  }

  function areaLabel() {
    const parts = [];
    if (onlyCounters.size) parts.push(fill(strings.area_counters, { list: [...onlyCounters].join(", ") }));
    if (onlyServices.size) parts.push([...onlyServices].map(serviceName).join(", "));
    return parts.length ? strings.area + ": " + parts.join(" · ") : "";
  }

  // --- rendering ---------------------------------------------------------------------------------

  function makeRow(counter) {
    const tr = node("tr");
    tr.dataset.counter = counter;
    const word = node("th", "counter-word", strings.counter);
    word.scope = "row";
    tr.append(word, node("td", "counter", counter), node("td", "number"), node("td", "service"));
    return tr;
  }

  function layoutClass(count) {
    if (count <= 4) return "layout-wide";
    if (count <= 8) return "layout-two";
    return "layout-three";
  }

  function renderServing() {
    const counters = boardCounters();
    const body = $("serving");
    const key = counters.join(",");
    if (body.dataset.key !== key) {
      body.replaceChildren(...counters.map(makeRow));
      body.dataset.key = key;
    }
    body.parentElement.className = "serving " + layoutClass(counters.length);
    const byCounter = new Map(state.now_serving.filter(inArea).map((call) => [call.counter, call]));
    for (const tr of body.rows) {
      const call = byCounter.get(Number(tr.dataset.counter));
      tr.querySelector(".number").textContent = call ? call.number : "—";
      tr.querySelector(".service").textContent = call ? serviceName(call.service) : "";
      tr.classList.toggle("idle", !call);
      tr.classList.toggle("latest", sameCall(call, latest));
      tr.classList.toggle("flash", sameCall(call, flashing));
    }
    onestop.show("serving-empty", counters.length === 0);
    const line = $("call-line");
    line.textContent = latest
      ? fill(strings.call_line, { number: latest.number, counter: latest.counter }) +
        (latest.recall ? " · " + strings.recall : "")
      : "";
    line.classList.toggle("flash", !!flashing);
  }

  function renderRecent() {
    const list = $("recent");
    const items = state.recent.filter(inArea).slice(0, config.recent_calls);
    list.replaceChildren(
      ...items.map((call) => {
        const li = node("li", "recent-item" + (sameCall(call, latest) ? " latest" : ""));
        li.dataset.counter = call.counter;
        li.append(
          node("span", "recent-number", call.number),
          node("span", "recent-arrow", "→"),
          node("span", "recent-counter", strings.counter + " " + call.counter),
        );
        return li;
      }),
    );
  }

  function renderWaiting() {
    const list = $("waiting");
    list.replaceChildren(
      ...areaServices().map((code) => {
        const li = node("li", "waiting-item");
        li.dataset.service = code;
        const count = state.waiting[code] || 0;
        li.classList.toggle("none", count === 0);
        const prefix = (state.services[code] && state.services[code].prefix) || code;
        li.append(
          node("span", "waiting-prefix", prefix),
          node("span", "waiting-name", serviceName(code)),
          node("span", "waiting-count", count),
        );
        return li;
      }),
    );
  }

  function renderTicker() {
    const texts = state.notices.map((n) => (english ? n.text_en || n.text : n.text)).filter(Boolean);
    const ticker = $("ticker");
    const track = $("ticker-track");
    const key = JSON.stringify(texts);
    ticker.hidden = texts.length === 0;
    if (track.dataset.key === key) return;
    track.dataset.key = key;
    track.replaceChildren();
    texts.forEach((text, index) => {
      if (index) track.append(node("span", "ticker-sep", "•"));
      track.append(node("span", "ticker-notice", text));
    });
    track.classList.remove("scrolling");
    if (!texts.length) return;
    // One pass of a screen-wide notice takes ticker_seconds; a longer one keeps the same speed.
    const windowWidth = track.parentElement.clientWidth || 1;
    const passes = Math.max(1, track.scrollWidth / (2 * windowWidth));
    const seconds = config.ticker_seconds * passes;
    track.style.setProperty("--ticker-duration", seconds.toFixed(2) + "s");
    // Start with the first notice already at the left edge instead of an empty strip.
    track.style.setProperty("--ticker-delay", (-seconds * (windowWidth / track.scrollWidth)).toFixed(2) + "s");
    void track.offsetWidth; // restart the animation from the right edge
    track.classList.add("scrolling");
  }

  function render() {
    renderServing();
    renderRecent();
    renderWaiting();
    renderTicker();
    onestop.say("area", areaLabel());
  }

  // --- the newest call flashes for flash_seconds, and again on a recall ------------------------

  function startFlash(call) {
    clearTimeout(flashTimer);
    flashing = call;
    for (const element of [document.querySelector(`#serving tr[data-counter="${call.counter}"]`), $("call-line")]) {
      if (element) {
        element.classList.remove("flash");
        void element.offsetWidth; // a recall restarts the animation
      }
    }
    flashTimer = setTimeout(() => {
      flashing = null;
      renderServing();
    }, config.flash_seconds * 1000);
  }

  // --- sounds: one at a time, never an exception (autoplay may be blocked) ---------------------

  const sounds = [];
  let soundPlaying = false;
  const MAX_QUEUED = 5; // a burst of calls must not chime for a minute

  // A sound is a function returning a promise that settles when it has finished.
  function queueSound(play) {
    if (sounds.length < MAX_QUEUED) sounds.push(play);
    if (!soundPlaying) nextSound();
  }

  function nextSound() {
    const play = sounds.shift();
    soundPlaying = !!play;
    if (!play) return;
    let settled;
    try {
      settled = Promise.resolve(play());
    } catch {
      settled = Promise.resolve();
    }
    settled.catch(() => undefined).then(nextSound);
  }

  const chime = config.chime ? new Audio(config.chime_url) : null;
  if (chime) chime.preload = "auto";

  function playChime() {
    return new Promise((resolve) => {
      const guard = setTimeout(finish, 4000); // in case neither "ended" nor "error" ever comes
      function finish() {
        clearTimeout(guard);
        chime.removeEventListener("ended", finish);
        chime.removeEventListener("error", finish);
        resolve();
      }
      chime.addEventListener("ended", finish);
      chime.addEventListener("error", finish);
      try {
        chime.currentTime = 0;
        const started = chime.play();
        if (started && started.catch) started.catch(finish); // autoplay blocked: stay silent
      } catch {
        finish();
      }
    });
  }

  // --- state and events --------------------------------------------------------------------------

  // The newest call of this area that a counter still shows (recent is newest first).
  function newestInArea() {
    const current = state.now_serving.filter(inArea);
    return state.recent.find((call) => inArea(call) && current.some((row) => sameCall(row, call))) || current[0] || null;
  }

  function applyState(snapshot) {
    state = snapshot;
    lastSeq = baseSeq = countsSeq = noticesSeq = snapshot.seq;
    missing.clear();
    clearTimeout(gapTimer);
    gapTimer = null;
    for (const call of state.now_serving.concat(state.recent)) if (inArea(call)) seenCounters.add(call.counter);
    const current = newestInArea();
    latest = current && sameCall(current, latest) ? latest : current;
    if (flashing && !state.now_serving.some((call) => sameCall(call, flashing))) flashing = null;
    if (snapshot.office) $("office-name").textContent = snapshot.office;
    render();
  }

  async function resync() {
    if (syncing) return;
    syncing = true;
    droppedMax = -1;
    let fetched = false;
    try {
      applyState(await onestop.api(config.state_url));
      fetched = true;
    } catch {
      // Offline or refused: the socket reconnects by itself and the server sends a fresh state then.
    } finally {
      syncing = false;
    }
    if (fetched && droppedMax > lastSeq) resync(); // events came that the snapshot did not hold
  }

  // True when the event may be applied. An event may stand for several changes, since..seq (the
  // server sends a burst of queue counts as one). Seqs it skips over are waited for a moment; if
  // one never comes, a fresh snapshot.
  function inOrder(seq, since = seq) {
    if (syncing) {
      droppedMax = Math.max(droppedMax, seq);
      return false;
    }
    if (seq <= baseSeq) return false; // already in the snapshot
    if (lastSeq >= 0 && since - lastSeq > GAP_MAX) {
      resync();
      return false;
    }
    for (let skipped = lastSeq + 1; lastSeq >= 0 && skipped < since; skipped += 1) missing.add(skipped);
    for (const waited of missing) if (waited >= since && waited <= seq) missing.delete(waited);
    lastSeq = Math.max(lastSeq, seq);
    if (missing.size && !gapTimer) {
      gapTimer = setTimeout(() => {
        gapTimer = null;
        if (missing.size) resync();
      }, GAP_WAIT_MS);
    }
    return true;
  }

  function onCalled(message) {
    if (!inOrder(message.seq)) return;
    const call = {
      counter: message.counter,
      number: message.number,
      service: message.service,
      called_at: message.called_at,
      recall: !!message.recall,
    };
    state.now_serving = state.now_serving.filter((row) => row.counter !== call.counter).concat([call]);
    state.recent = [call].concat(state.recent.filter((row) => !sameCall(row, call))).slice(0, 50);
    if (!inArea(call)) {
      render(); // another area's call; this counter's earlier call is no longer current
      return;
    }
    seenCounters.add(call.counter);
    latest = call;
    startFlash(call);
    render();
    if (chime) queueSound(playChime);
    // Audio hook: the Vietnamese announcement listens here and queues its voice after the chime.
    document.dispatchEvent(
      new CustomEvent("onestop:called", {
        detail: { ...message, service_name: serviceName(call.service), queueSound },
      }),
    );
  }

  function setConnected(connected) {
    const indicator = $("conn");
    indicator.className = "conn " + (connected ? "conn-on" : "conn-off");
    indicator.textContent = connected ? "" : onestop.strings.connection_lost;
  }

  // --- the clock, in the office's time zone ----------------------------------------------------

  const zone = config.timezone;
  const timeFormat = new Intl.DateTimeFormat("vi-VN", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const weekdayFormat = new Intl.DateTimeFormat(english ? "en-GB" : "vi-VN", { timeZone: zone, weekday: "long" });
  const dateFormat = new Intl.DateTimeFormat("vi-VN", { timeZone: zone, day: "2-digit", month: "2-digit", year: "numeric" });
  let shownDay = "";

  function tick() {
    const now = new Date();
    const weekday = weekdayFormat.format(now);
    const day = dateFormat.format(now);
    $("clock-time").textContent = timeFormat.format(now);
    $("clock-date").textContent = weekday.charAt(0).toUpperCase() + weekday.slice(1) + ", " + day;
    // Numbers restart at midnight: take the new day's (empty) board without waiting for a call.
    if (shownDay && shownDay !== day) resync();
    shownDay = day;
  }

  tick();
  setInterval(tick, 1000);
  render();

  const socket = io("/display", {
    auth: config.office ? { office: config.office } : {}, // one office of several
    transports: ["websocket", "polling"], tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
    timeout: 5000,
  });
  socket.on("connect", () => setConnected(true));
  socket.on("disconnect", () => setConnected(false));
  socket.on("connect_error", () => setConnected(false));
  socket.on("state", applyState); // sent on every connect: the true state after any outage
  socket.on("ticket_called", onCalled);
  socket.on("queue_changed", (message) => {
    if (!inOrder(message.seq, message.since) || message.seq < countsSeq) return;
    countsSeq = message.seq;
    state.waiting = message.waiting;
    renderWaiting();
  });
  socket.on("notices_changed", (message) => {
    if (!inOrder(message.seq) || message.seq < noticesSeq) return;
    noticesSeq = message.seq;
    state.notices = message.notices;
    renderTicker();
  });
})();
