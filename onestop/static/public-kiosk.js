// The public page shown by an idle kiosk (/public?kiosk=1): any touch goes back to the kiosk's
// start screen, and the figures are read again every few minutes while nobody touches it.
(function () {
  "use strict";
  const back = document.getElementById("kiosk-return");
  const leave = () => location.assign(back.href);
  document.addEventListener("pointerdown", leave, { passive: true });
  document.addEventListener("keydown", leave);
  setTimeout(() => location.reload(), 5 * 60 * 1000);
})();
