// Back office, quality and satisfaction: a period's nine criteria (DOMAIN §3.1), the citizens'
// ratings and the SIPAS factor index of the surveys, and each officer's figures.
(function () {
  "use strict";
  const { $, fill, say, row } = onestop;
  const T = onestop.data("admin-strings");
  const { api } = onestopAdmin;
  const shown = (value, unit) => (value === null || value === undefined ? "—" : value + (unit || ""));

  function render(result) {
    $("rating-percent").textContent = shown(result.rating.percent, "%");
    $("rating-count").textContent = fill(T.of, { part: result.rating.satisfied, whole: result.rating.answered });
    $("survey-count").textContent = result.survey.responses;
    $("dossier-count").textContent = result.dossiers;
    $("online-share").textContent = fill(T.online_share, { percent: shown(result.online.percent, "%") });
    $("factors").replaceChildren(...Object.entries(result.survey.factors).map(([n, f]) =>
      row([n + ". " + (T.factors[n] || ""), f.answers, shown(f.percent, "%")])));
    $("criteria").replaceChildren(...result.criteria.map((c) => {
      const tr = row([c.number, T.criteria[c.code] || c.name, c.scored ? shown(c.average) : T.not_scored,
        c.scored, c.points["2"], c.points["1"], c.points["0"]]);
      if (c.code === "feedback") tr.title = T.no_pakn;
      tr.dataset.criterion = c.code;
      return tr;
    }));
    $("average-total").textContent = shown(result.average_scaled_total) + " / 18";
    $("classes").textContent = Object.keys(T.classes)  // best first, as the law lists them
      .map((name) => T.classes[name] + ": " + (result.classification[name] || 0)).join(" · ");
    $("officers").replaceChildren(...result.officers.map((o) => {
      const tr = row([o.full_name || o.username, o.dossiers, shown(o.average_scaled_total),
        o.rating.answered, shown(o.rating.percent, "%")]);
      tr.dataset.officer = o.username;
      return tr;
    }));
    $("result").hidden = false;
  }

  // Personal data: fetched only on request (each reveal is audited), and the table goes when
  // the period changes.
  async function showContacts() {
    say("admin-error", "");
    try {
      const found = await api("/api/v1/feedback/contacts", { method: "POST", body: { from: $("from").value, to: $("to").value } });
      $("contacts").replaceChildren(...found.map((c) => row([
        c.served_at.slice(11, 16) + " " + c.served_at.slice(8, 10) + "/" + c.served_at.slice(5, 7),
        c.contact, shown(c.counter), c.officer || "—", c.answers.expectation || "",
      ])));
      $("contact-table").hidden = !found.length;
      $("contacts-none").hidden = !!found.length;
    } catch (error) {
      say("admin-error", error.message);
    }
  }

  async function load() {
    $("contact-table").hidden = true;
    $("contacts-none").hidden = true;
    say("admin-error", "");
    try {
      const query = "?from=" + $("from").value + "&to=" + $("to").value;
      render(await api("/api/v1/evaluation" + query));
    } catch (error) {
      say("admin-error", error.message);
    }
  }

  // The current month so far, in the office's days: its time zone's, not the browser's (a
  // machine left on UTC would end the month's figures at 07:00 and lose the 1st's).
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: $("period").dataset.timezone }).format(new Date());
  $("from").value = today.slice(0, 8) + "01";
  $("to").value = today;
  $("period").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("show-contacts").addEventListener("click", showContacts);
  onestopAdmin.start(load);
})();
