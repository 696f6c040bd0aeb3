// The citizen's phone: a three-level rating of the visit, then the short or the full survey.
// Answers already given are filled in again, and may be changed while the server allows it.
(function () {
  "use strict";
  const { $, fill } = onestop;
  const root = $("survey");
  const form = $("survey-form");
  if (!form) return;  // not served yet: nothing to answer
  const T = onestop.data("survey-strings");
  const S = onestop.data("survey-state");
  const url = (what) => root.dataset.api + "/" + what + root.dataset.query;
  let answered = S.survey;
  const FINAL = ["already_rated", "feedback_closed", "not_served", "feedback_key_invalid"];

  // The shared client, with this page's words for the server's refusals (err_<code>). Offline,
  // nothing was sent: the error says so and the citizen may try again.
  const api = onestop.client({ messages: T });
  const send = (what, method, body) => api(url(what), { method, body });

  const when = (iso) => new Date(iso).toLocaleString(root.dataset.locale === "en" ? "en-GB" : "vi-VN",
    { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });

  // ---- rating -------------------------------------------------------------------------
  function rated(score, message) {
    const level = S.levels.find((l) => l.code === score);
    $("rate-levels").hidden = true;
    $("rate-reasons").hidden = true;
    onestop.say("rate-done", message || fill(T.rated, { label: level ? level.label : score }));
  }

  for (const button of document.querySelectorAll("#rate-levels .level")) {
    button.addEventListener("click", async () => {
      const score = button.dataset.score;
      try {
        await send("rating", "POST", { score });
        if (score === "unsatisfied") {
          $("rate-levels").hidden = true;
          $("rate-reasons").hidden = false;
        } else {
          rated(score);
        }
      } catch (err) {
        // Final answers close the question; a network fault or a rate limit leaves it open.
        if (FINAL.includes(err.code)) { rated(score, err.message); return; }
        onestop.say("rate-done", err.message);
      }
    });
  }
  $("reasons-send").addEventListener("click", async () => {
    const chosen = [...document.querySelectorAll("#rate-reasons input:checked")].map((i) => i.value);
    if (chosen.length) {
      try { await send("rating", "PATCH", { reasons: chosen }); } catch { /* the score is kept */ }
    }
    rated("unsatisfied");
  });

  // ---- survey -------------------------------------------------------------------------
  function prefill(survey) {
    if (!survey || survey.form !== S.form) return;
    for (const [id, value] of Object.entries(survey.answers)) {
      const field = form.elements.namedItem(id);
      if (field) field.value = String(value);
    }
  }

  function showSaved(survey) {
    onestop.say("survey-done", survey.editable ? fill(T.saved, { time: when(survey.editable_until) }) : T.closed);
    $("survey-send").textContent = T.update;
    $("survey-send").disabled = !survey.editable;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = {};
    for (const el of form.querySelectorAll("input[type=radio]:checked, textarea")) {
      if (el.value.trim()) answers[el.name] = el.value;
    }
    onestop.show("survey-error", false);
    if (!Object.keys(answers).length) { onestop.say("survey-error", T.empty); return; }
    const body = { form: S.form, answers, language: root.dataset.locale };
    const contact = form.elements.namedItem("contact").value.trim();
    if (contact) body.contact = contact;
    const forget = form.elements.namedItem("forget-contact");
    if (forget && forget.checked) body.contact = "";  // the citizen withdraws it
    try {
      answered = await send("survey", answered ? "PUT" : "POST", body);
      showSaved(answered);
    } catch (err) {
      onestop.say("survey-error", err.message);
    }
  });

  prefill(S.survey);
  if (S.survey) showSaved(S.survey);
})();
