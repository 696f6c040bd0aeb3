// Waiting-room display: the snapshot on connect, then pushed calls; a seq gap means re-sync.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let lastSeq = -1;
  let state = { now_serving: [], recent: [], waiting: {} };

  function render(highlight) {
    const serving = $("serving");
    serving.replaceChildren();
    for (const row of state.now_serving) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td class='number'></td><td class='counter'></td>";
      tr.firstChild.textContent = row.number;
      tr.lastChild.textContent = row.counter;
      tr.dataset.counter = row.counter;
      if (highlight && highlight.counter === row.counter && highlight.number === row.number) tr.className = "flash";
      serving.appendChild(tr);
    }
    const recent = $("recent");
    recent.replaceChildren();
    for (const row of state.recent) {
      const li = document.createElement("li");
      li.textContent = row.number + " → " + row.counter;
      recent.appendChild(li);
    }
    const waiting = $("waiting");
    waiting.replaceChildren();
    for (const [service, n] of Object.entries(state.waiting)) {
      const li = document.createElement("li");
      li.textContent = service + ": " + n;
      waiting.appendChild(li);
    }
  }

  async function resync() {
    const response = await fetch("/api/v1/display/state", { cache: "no-store" });
    if (response.ok) applyState(await response.json());
  }

  function applyState(snapshot) {
    state = snapshot;
    lastSeq = snapshot.seq;
    render(null);
  }

  // True when the event may be applied; a gap triggers a fresh snapshot instead.
  function inOrder(seq) {
    if (lastSeq >= 0 && seq > lastSeq + 1) { resync(); return false; }
    lastSeq = Math.max(lastSeq, seq);
    return true;
  }

  const socket = io("/display", { transports: ["websocket", "polling"], reconnectionDelayMax: 2000 });
  socket.on("connect", () => { $("conn").textContent = ""; $("conn").className = "conn conn-on"; });
  socket.on("disconnect", () => { $("conn").textContent = "Mất kết nối…"; $("conn").className = "conn conn-off"; });
  socket.on("state", applyState);
  socket.on("ticket_called", (m) => {
    if (!inOrder(m.seq)) return;
    const call = { counter: m.counter, number: m.number, service: m.service, called_at: m.called_at };
    state.now_serving = state.now_serving.filter((r) => r.counter !== m.counter).concat([call])
      .sort((a, b) => a.counter - b.counter);
    state.recent = [call].concat(state.recent.filter((r) => !(r.number === m.number && r.counter === m.counter))).slice(0, 10);
    render(call);
    document.dispatchEvent(new CustomEvent("onestop:called", { detail: m }));  // audio hook
  });
  socket.on("queue_changed", (m) => {
    if (!inOrder(m.seq)) return;
    state.waiting = m.waiting;
    render(null);
  });
})();
