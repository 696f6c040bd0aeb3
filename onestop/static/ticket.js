// Public ticket status: refresh the page every 15 s while the ticket is still open.
(function () {
  "use strict";
  const state = onestop.$("s-state");
  const open = ["state-waiting", "state-called", "state-serving"].some((c) => state.classList.contains(c));
  if (open) setTimeout(() => location.reload(), 15000);
})();
