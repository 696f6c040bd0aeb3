// The dossier desk on the counter screen: receive a dossier from the citizen being served
// (procedure search, applicant, channel, delivery, papers, receipt printer), act on it, and
// watch what falls due. The server decides which actions a dossier allows; this only shows them.
(function () {
  "use strict";
  const { $, fill, node } = onestop;
  const T = onestop.data("counter-strings");
  const OFFSET = $("counter").dataset.utcOffset || "+07:00";
  // The core's table of dossier actions: which need a reason, what else each asks, its slip.
  const RULES = onestop.data("dossier-actions");
  let ticket = null, counterNumber = null, procedures = [], dossier = null, pendingAction = null;
  let loaded = false;

  // The counter screen's own client: the officer's token, its 401 handling, translated errors.
  const { api, showNotice } = window.onestopCounter;
  const PRINTER_KEY = "onestop.deskPrinter";
  // The desk's errors show in the desk, where the officer is looking, in this screen's words
  // (the api client turns each err_<code> into them), not in the banner at the top.
  // ``near``: the action's own place (its form or buttons), where the message then moves.
  function showError(text, near) {
    const shown = onestop.say("desk-error", text);
    if (!text) return;
    if (near) near.after(shown);
    shown.scrollIntoView({ block: "nearest" });
  }
  const when = (iso) => (iso ? iso.slice(11, 16) + " " + iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) : T.desk_no_due);

  // -- the catalogue, searched without accents ("khai sinh" finds "Khai sinh") ------------
  const plain = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();

  async function loadOnce() {
    if (loaded) return;
    loaded = true;
    const fields = await api("/api/v1/procedures");
    procedures = fields.flatMap((f) => f.procedures);
    renderProcedures();
    const printers = await api("/api/v1/printers").catch(() => []);
    for (const p of printers) $("desk-printer").add(new Option(p.printer + " (" + p.paper + ")", p.printer));
    // This counter's printer, as chosen on this PC last time (a desk keeps its printer).
    const kept = localStorage.getItem(PRINTER_KEY);
    if (kept && printers.some((p) => p.printer === kept)) $("desk-printer").value = kept;
    refreshWatch();
    setInterval(refreshWatch, 60000);
  }

  function renderProcedures() {
    const query = plain($("procedure-search").value.trim());
    const found = procedures.filter((p) => !query || plain(p.code + " " + p.name).includes(query)).slice(0, 60);
    $("procedure").replaceChildren(...found.map((p) => new Option(p.code + " — " + p.name, p.code)));
    if (found.length) $("procedure").selectedIndex = 0;
    renderProcedure();
  }

  function renderProcedure() {
    const p = procedures.find((x) => x.code === $("procedure").value);
    $("procedure-rule").textContent = p ? [p.legal_time, p.fee].filter(Boolean).join(" · ") : "";
    // The 2022 plan: a 2–5-working-day dossier received by the cut-off may be taken "4 tại
    // chỗ"; a 1-day one received after it is offered the return by post. In the office's time.
    const cutoff = (p && p.same_day_cutoff) || "15:00";
    const now = officeTime();
    const days = p && p.time_unit === "working_day" ? p.time_value : null;
    $("on-spot-row").hidden = !(days >= 2 && days <= 5 && now <= cutoff);
    if ($("on-spot-row").hidden) $("on-spot").checked = false;
    const oneDay = p && (p.time_unit === "same_day" || (days !== null && days <= 1));
    $("post-hint").hidden = !(oneDay && now > cutoff);
    // Where the law states no time, the officer gives the appointment: none is made up.
    const noTime = Boolean(p) && !p.time_stated;
    $("due-row").hidden = !noTime;
    $("due-at").required = noTime;
    const box = $("documents");
    box.replaceChildren(box.querySelector("legend"));
    for (const paper of (p && p.documents) || []) {
      const label = node("label");
      const check = node("input");
      check.type = "checkbox";
      check.value = paper;
      check.checked = false;  // ticked paper by paper, as each is checked in hand
      label.append(check, " " + paper);
      box.appendChild(label);
    }
  }

  // HH:MM now in the office's zone (its offset, whatever the PC's own zone is).
  function officeTime() {
    const [hours, minutes] = OFFSET.slice(1).split(":").map(Number);
    const shift = (OFFSET[0] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60000;
    return new Date(Date.now() + shift).toISOString().slice(11, 16);
  }

  // -- receiving ----------------------------------------------------------------------------
  function openReceive() {
    if (!ticket) { showError(T.desk_need_ticket); return; }
    showError("");
    $("receive").hidden = false;
    $("procedure-search").focus();
  }

  async function receive(event) {
    event.preventDefault();
    showError("");
    const papers = [...$("documents").querySelectorAll("input:checked")].map((c) => c.value);
    const body = {
      procedure: $("procedure").value,
      ticket: ticket && ticket.token,
      applicant: applicantOf(),
      channel: $("channel").value, delivery: $("delivery").value, documents: papers,
    };
    if (body.delivery === "post") body.postal_address = typed("postal-address");
    if ($("on-spot").checked) body.on_the_spot = true;
    if ($("desk-printer").value) body.print = $("desk-printer").value;
    if (!$("due-row").hidden) body.due_at = $("due-at").value + ":00" + OFFSET;
    $("btn-receive").disabled = true;
    try {
      const created = await api("/api/v1/dossiers", { method: "POST", body });
      $("receive").reset();
      $("receive").hidden = true;
      renderProcedures();
      renderApplicant();
      showNotice(fill(T.desk_received, { code: created.code, due: when(created.due_at) }) + " " + printed(created));
      showDossier(created);
      refreshVisit();
      refreshWatch();
    } catch (error) {
      showError(error.message, $("btn-receive-cancel"));
    } finally {
      $("btn-receive").disabled = false;
    }
  }

  // -- who the dossier is for, and who files it ---------------------------------------------
  const typed = (id) => $(id).value.trim().normalize("NFC");
  function applicantOf() {
    const person = { kind: $("a-kind").value, name: typed("a-name"), id_number: typed("a-id"),
      phone: typed("a-phone"), address: typed("a-address"), email: typed("a-email") };
    if (person.kind === "organisation") person.tax_code = typed("a-tax");
    if ($("a-authorised").checked) {
      person.authorised = { name: typed("f-name"), id_number: typed("f-id"), phone: typed("f-phone"),
        address: typed("f-address"), document: typed("f-document") };
    }
    return person;
  }

  // The form shows what applies: a tax code for an organisation, the filer's fields under an
  // authorisation, and the postal address when the result goes by post.
  function renderApplicant() {
    const organisation = $("a-kind").value === "organisation";
    $("a-tax-row").hidden = !organisation;
    $("a-tax").required = organisation;
    const filed = $("a-authorised").checked;
    $("filer").hidden = !filed;
    for (const id of ["f-name", "f-id", "f-document"]) $(id).required = filed;
    $("postal-row").hidden = $("delivery").value !== "post";
  }

  // -- not received: guidance to complete the papers, or a refusal at reception -------------
  async function notReceived(kind) {
    showError("");
    const form = $("receive");
    if (!$("a-name").reportValidity()) return;
    const reason = $("r-reason").value.trim().normalize("NFC");
    if (!reason) { showError(T.desk_need_reason, $("r-reason")); return; }
    const unticked = [...$("documents").querySelectorAll("input:not(:checked)")].map((c) => c.value);
    const written = $("r-missing").value.split("\n").map((l) => l.trim().normalize("NFC")).filter(Boolean);
    const missing = [...unticked, ...written];
    if (kind === "guidance" && !missing.length) { showError(T.desk_need_missing, $("r-missing")); return; }
    const body = {
      kind, procedure: $("procedure").value, ticket: ticket && ticket.token, reason, missing,
      applicant: applicantOf(),
    };
    if ($("desk-printer").value) body.print = $("desk-printer").value;
    try {
      const done = await api("/api/v1/reception", { method: "POST", body });
      form.reset();
      form.hidden = true;
      renderProcedures();
      renderApplicant();
      showNotice((kind === "guidance" ? T.desk_guided : T.desk_refused_reception) + " " + printed(done));
    } catch (error) {
      showError(error.message, $("btn-refuse-reception"));
    }
  }

  // -- the control slip (phiếu kiểm soát): printed at the desk, or opened as a PDF -----------
  async function printControl() {
    showError("");
    const printer = $("desk-printer").value;
    if (!printer) { showNotice(T.desk_not_printed); return; }
    try {
      await api("/api/v1/dossiers/" + encodeURIComponent(dossier.code) + "/control", { method: "POST", body: { print: printer } });
      showNotice(fill(T.desk_printed, { printer }));
    } catch (error) {
      showError(error.message, $("d-control"));
    }
  }

  async function openControlPdf() {
    const response = await api("/api/v1/dossiers/" + encodeURIComponent(dossier.code) + "/control.pdf", { raw: true });
    if (!response.ok) { showError(T.err_unknown_dossier, $("d-control")); return; }
    window.open(URL.createObjectURL(await response.blob()), "_blank");
  }

  // -- one dossier ----------------------------------------------------------------------------
  function showDossier(view) {
    dossier = view;
    onestop.show("dossier", Boolean(view));
    if (!view) return;
    $("d-code").textContent = view.code;
    $("d-state").textContent = T["state_" + view.state] || view.state;
    $("d-state").className = "state-badge dossier-" + view.state;
    $("d-procedure").textContent = view.procedure.code + " — " + view.procedure.name;
    $("d-due").textContent = when(view.due_at);
    $("d-on-spot").hidden = !view.rule.on_the_spot;
    $("d-internal").textContent = view.internal_due_at ? fill(T.desk_internal, { due: when(view.internal_due_at) }) : "";
    $("d-actions").replaceChildren(...view.actions.map((action) => {
      const button = node("button", "btn", T["act_" + action] || action);
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", () => choose(action));
      return button;
    }));
    $("d-steps").replaceChildren(...view.control.map((step) =>
      node("li", "", when(step.at) + " — " + (T["act_" + step.action] || step.action) + (step.note ? ": " + step.note : ""))));
    $("d-form").hidden = true;
  }

  // What cannot be undone asks first (a slip of the finger must not close a dossier).
  const IRREVERSIBLE = new Set(["resolve", "refuse", "stop", "withdraw"]);
  function confirmed(action) {
    return !IRREVERSIBLE.has(action) ||
      window.confirm(fill(T.desk_confirm, { action: T["act_" + action] || action, code: dossier.code }));
  }

  function choose(action) {
    const rule = RULES[action];
    if (!rule.needs_reason && !rule.asks.length) {
      if (confirmed(action)) send(action, {});
      return;
    }
    pendingAction = action;
    $("d-note-label").textContent = T["note_" + action] || "";
    $("d-note").value = "";
    $("d-note").required = rule.needs_reason;
    $("d-reason-row").hidden = !rule.asks.includes("reason");
    $("d-reason").required = rule.asks.includes("reason");
    $("d-reason").value = "";
    $("d-date-row").hidden = !rule.asks.includes("new_due_at");
    $("d-date").required = rule.asks.includes("new_due_at");
    // A lawful extension has the law's bound: the picker stops there, and says so.
    const limit = action === "extend_by_law" ? dossier.lawful_limit : null;
    $("d-date").max = limit ? limit.slice(0, 16) : "";
    $("d-date-limit").textContent = limit ? fill(T.desk_lawful_limit, { due: when(limit) }) : "";
    $("d-tracking-row").hidden = !(rule.asks.includes("tracking") && dossier.delivery === "post");
    $("d-form").hidden = false;
    $("d-note").focus();
  }

  // What the desk says of a step's slip: where it went, or why nothing was printed.
  function printed(answer) {
    return answer.print_job ? fill(T.desk_printed, { printer: $("desk-printer").value }) : T.desk_not_printed;
  }

  async function send(action, extra, hasSlip = false) {
    showError("");
    try {
      const answer = await api("/api/v1/dossiers/" + encodeURIComponent(dossier.code) + "/actions", {
        method: "POST", body: { action, ...extra },
      });
      showDossier(answer);
      const told = [answer.warning ? T["warn_" + answer.warning] || answer.warning : "", hasSlip ? printed(answer) : ""];
      if (told.some(Boolean)) showNotice(told.filter(Boolean).join(" "));
      refreshVisit();
      refreshWatch();
    } catch (error) {
      showError(error.message, $("d-form").hidden ? $("d-actions") : $("d-form"));
    }
  }

  $("d-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!confirmed(pendingAction)) return;
    const rule = RULES[pendingAction];
    const extra = { note: $("d-note").value.normalize("NFC") };
    if (rule.asks.includes("reason")) extra.reason = $("d-reason").value.trim().normalize("NFC");
    if (rule.asks.includes("new_due_at")) extra.new_due_at = $("d-date").value + ":00" + OFFSET;
    if (rule.asks.includes("tracking") && dossier.delivery === "post") extra.tracking = $("d-tracking").value.trim();
    const printer = $("desk-printer").value;
    if (printer && rule.slip) extra.print = printer;
    send(pendingAction, extra, Boolean(rule.slip));
  });

  // -- the visit's dossiers and what falls due -------------------------------------------
  async function refreshVisit() {
    const list = $("visit-dossiers");
    if (!ticket) { list.replaceChildren(); return; }
    const status = await api("/api/v1/tickets/" + encodeURIComponent(ticket.token)).catch(() => ({ dossiers: [] }));
    if (!status.dossiers.length) {
      list.replaceChildren(node("li", "muted", T.desk_nothing));
      return;
    }
    list.replaceChildren(...status.dossiers.map((d) => item(d.code, d.procedure + " · " + (T["state_" + d.state] || d.state))));
  }

  function item(code, text) {
    const li = node("li");
    const button = node("button", "link", code);
    button.type = "button";
    button.addEventListener("click", async () => {
      try { showDossier(await api("/api/v1/dossiers/" + encodeURIComponent(code))); } catch (error) { showError(error.message); }
    });
    li.append(button, " " + text);
    return li;
  }

  // -- finding a dossier again (a citizen back for the result another day) -------------------
  const line = (d) => item(d.code, [d.applicant, d.procedure, T["state_" + d.state] || d.state].join(" · "));

  async function find(event) {
    event.preventDefault();
    showError("");
    const query = $("find-q").value.trim().normalize("NFC");
    if (!query) return;
    try {
      const rows = await api("/api/v1/dossiers/search?q=" + encodeURIComponent(query));
      if (rows.length === 1) {  // one match (a scanned receipt): open it at once
        $("find-results").replaceChildren();
        showDossier(await api("/api/v1/dossiers/" + encodeURIComponent(rows[0].code)));
        return;
      }
      $("find-results").replaceChildren(rows.length
        ? node("li", "muted", fill(T.desk_found, { n: rows.length }))
        : node("li", "muted", T.desk_found_none), ...rows.map(line));
    } catch (error) {
      showError(error.message, $("find"));
    }
  }

  async function refreshAwaiting() {
    const rows = await api("/api/v1/dossiers/awaiting-return").catch(() => null);
    if (!rows) return;
    $("awaiting").replaceChildren(...(rows.length ? rows.map((d) => item(d.code, d.applicant + " · " + when(d.resolved_at)))
      : [node("li", "muted", T.desk_awaiting_empty)]));
  }

  async function refreshWatch() {
    refreshAwaiting();
    const rows = await api("/api/v1/dossiers/watch").catch(() => null);
    if (!rows) return;
    const list = $("watch");
    if (!rows.length) {
      list.replaceChildren(node("li", "muted", T.desk_watch_empty));
      return;
    }
    list.replaceChildren(...rows.map((r) => {
      const why = onestop.strings["why_" + r.why] || "";  // why it is listed, in words
      const li = item(r.code, when(r.due_at) + (why ? " — " + why : ""));
      li.classList.toggle("alert", r.overdue || r.alert);
      return li;
    }));
  }

  // -- wiring ----------------------------------------------------------------------------
  document.addEventListener("onestop:current", (event) => {
    const next = event.detail.ticket;
    counterNumber = event.detail.counter;
    const changed = (next && next.token) !== (ticket && ticket.token);
    ticket = next;
    if (sessionStorage.getItem("onestop.token")) loadOnce().catch((error) => showError(error.message));
    $("btn-guidance").disabled = !ticket;
    if (changed) {
      $("receive").hidden = true;
      showDossier(null);
      refreshVisit();
      if (loaded) refreshWatch();  // each new citizen is a moment to look at what falls due
    }
  });
  $("btn-receive-open").addEventListener("click", openReceive);
  $("btn-receive-cancel").addEventListener("click", () => onestop.show("receive", false));
  $("d-cancel").addEventListener("click", () => onestop.show("d-form", false));
  $("procedure-search").addEventListener("input", renderProcedures);
  $("procedure").addEventListener("change", renderProcedure);
  $("desk-printer").addEventListener("change", () => localStorage.setItem(PRINTER_KEY, $("desk-printer").value));
  $("receive").addEventListener("submit", receive);
  $("find").addEventListener("submit", find);
  for (const id of ["a-kind", "a-authorised", "delivery"]) $(id).addEventListener("change", renderApplicant);
  $("btn-post").addEventListener("click", () => { $("delivery").value = "post"; renderApplicant(); $("postal-address").focus(); });
  $("btn-guide").addEventListener("click", () => notReceived("guidance"));
  $("btn-refuse-reception").addEventListener("click", () => notReceived("refusal"));
  $("d-control").addEventListener("click", printControl);
  $("d-control-pdf").addEventListener("click", () => openControlPdf().catch((error) => showError(error.message, $("d-control"))));
  $("btn-guidance").addEventListener("click", async () => {
    showError("");
    try {
      await api("/api/v1/counters/" + counterNumber + "/finish", { method: "POST", body: { outcome: "guidance" } });
      document.dispatchEvent(new CustomEvent("onestop:refresh"));
    } catch (error) {
      showError(error.message);
    }
  });
})();
