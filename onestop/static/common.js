// Shared by the pages: the words and settings the server hands a page's script, filled in.
window.onestop = Object.freeze({
  // The JSON of <script type="application/json" id="…">, rendered in the page's language.
  data: (id) => JSON.parse(document.getElementById(id).textContent),
  // fill("Waiting: {n}", {n: 3}) → "Waiting: 3"; an unknown {name} is left as it is.
  fill: (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole)),
});
