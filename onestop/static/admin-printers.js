// Back office, printers: each printer's health, the devices on it, its failed jobs (with
// "print again") and a preview of the ticket as it prints. Data from the JSON API.
(function () {
  "use strict";
  const { $, fill, say } = onestop;
  const T = onestop.data("admin-strings");
  const { api } = onestopAdmin;
  const previews = {};  // kept, so a refresh does not fetch the images again

  async function preview(img, name) {
    if (!previews[name]) {
      const response = await api("/api/v1/printers/" + encodeURIComponent(name) + "/preview.png", { raw: true });
      if (!response.ok) return;
      // A data: URL, as the page's Content Security Policy allows images from 'self' and data:.
      const blob = await response.blob();
      previews[name] = await new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.onerror = reject;
        reader.readAsDataURL(blob);
      });
    }
    img.src = previews[name];
  }

  function card(printer) {
    const node = $("printer-card").content.firstElementChild.cloneNode(true);
    node.dataset.printer = printer.printer;
    node.querySelector(".printer-name").textContent = printer.printer;
    const status = node.querySelector(".status");
    status.textContent = T["status_" + printer.status] || printer.status;
    status.className = "status status-" + printer.status;
    const meta = [printer.transport, printer.mode, printer.paper].concat(printer.devices);
    if (printer.agent) meta.push(fill(T.via_agent, { name: printer.agent }));
    node.querySelector(".printer-meta").textContent = meta.join(" · ");
    node.querySelector(".printer-detail").textContent = printer.detail || "";
    const rows = node.querySelector("tbody");
    for (const job of printer.failed_jobs) {
      const button = onestop.node("button", "btn retry", T.retry);
      button.type = "button";
      button.addEventListener("click", () => retry(job.id, button));
      const tr = onestop.row([job.number || job.kind, (job.at || "").slice(11, 16), job.error || "", button]);
      tr.dataset.job = job.id;
      rows.appendChild(tr);
    }
    node.querySelector(".none").textContent = printer.failed_jobs.length ? "" : T.no_failed;
    node.querySelector("table").hidden = !printer.failed_jobs.length;
    preview(node.querySelector("img"), printer.printer).catch(() => {});
    return node;
  }

  // Dossiers due soon: the same overdue watch as the counter screen's.
  function watchRow(due) {
    const why = onestop.strings["why_" + due.why] || "";  // why it is listed, in words
    const at = due.due_at ? due.due_at.slice(11, 16) + " " + due.due_at.slice(8, 10) + "/" + due.due_at.slice(5, 7) : "";
    const tr = onestop.row([due.code, due.procedure, at, String(due.working_days_left), why]);
    tr.className = due.overdue || due.alert ? "alert" : "";
    return tr;
  }

  async function load() {
    say("admin-error", "");
    try {
      const [printers, watch] = await Promise.all([api("/api/v1/printers"), api("/api/v1/dossiers/watch")]);
      $("watch").replaceChildren(...watch.map(watchRow));
      $("watch-table").hidden = !watch.length;
      $("watch-none").hidden = !!watch.length;
      $("printer-list").replaceChildren(...printers.map(card));
    } catch (error) {
      if (onestopAdmin.loggedIn()) say("admin-error", error.message);
    }
  }

  async function retry(jobId, button) {
    button.disabled = true;
    say("admin-error", "");
    try {
      const job = await api("/api/v1/print-jobs/" + jobId + "/retry", { method: "POST", body: {} });
      say("admin-notice", fill(T.retried, { job: job.job, printer: job.printer }));
      await load();
    } catch (error) {
      say("admin-error", error.message);
      button.disabled = false;
    }
  }

  let timer = null;
  onestopAdmin.start(() => {
    load();
    // Health changes by itself (paper runs out, jobs fail): keep the page current.
    clearInterval(timer);
    timer = setInterval(() => { if (onestopAdmin.loggedIn() && !document.hidden) load(); }, 5000);
  });
  $("refresh").addEventListener("click", load);
})();
