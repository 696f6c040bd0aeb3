// Back office, reports: how the office stands against the plan's targets for a period (gauges),
// the last twelve weeks (a line chart), the peak hours (a heat map), the QĐ 766 indicators, and
// every report as a file. The charts are SVG drawn here: nothing comes from another site.
(function () {
  "use strict";
  const { $, fill, say, row, node } = onestop;
  const T = onestop.data("admin-strings");
  const { api } = onestopAdmin;
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = { on_time: "#0b6b3a", satisfaction: "#0b4f8a", online: "#a35200" };
  const english = document.documentElement.lang === "en";
  const shown = (value, unit) => (value === null || value === undefined ? "—" : value + (unit || ""));

  function svg(tag, attributes, text) {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // A point on the gauge's half circle for a share 0..1 (0 on the left, 1 on the right).
  function onArc(share, radius) {
    const angle = Math.PI * (1 - Math.min(Math.max(share, 0), 1));
    return [60 + radius * Math.cos(angle), 62 - radius * Math.sin(angle)];
  }

  function standing(value, target) {
    if (value === null || value === undefined) return "none";
    if (value >= target) return "met";
    return value >= target - 10 ? "near" : "short";
  }

  // gauge("on_time", 83.3, 100, "5 of 6"): a half-circle filled to the value, a tick at the target.
  function gauge(id, value, target, detail) {
    const figure = $("g-" + id);
    const caption = figure.querySelector("figcaption");
    const state = standing(value, target);
    const chart = svg("svg", { viewBox: "0 0 120 74", role: "img",
      "aria-label": caption.textContent + ": " + shown(value, " %") + ", " + fill(T.target, { target: target + " %" }) });
    chart.appendChild(svg("path", { d: "M 12 62 A 48 48 0 0 1 108 62", class: "track" }));
    if (value !== null && value !== undefined && value > 0) {
      const [x, y] = onArc(value / 100, 48);
      chart.appendChild(svg("path", { d: `M 12 62 A 48 48 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}`, class: "value " + state }));
    }
    const [ox, oy] = onArc(target / 100, 56), [ix, iy] = onArc(target / 100, 40);
    chart.appendChild(svg("line", { x1: ox, y1: oy, x2: ix, y2: iy, class: "target" }));
    chart.appendChild(svg("text", { x: 60, y: 58, "text-anchor": "middle", class: "number" }, shown(value, "%")));
    figure.replaceChildren(caption, chart,
      node("p", "gauge-target", fill(T.target, { target: target + " %" }) + " · " + T[state]),
      node("p", "muted", detail));
    figure.dataset.state = state;
  }

  function trend(weeks) {
    const width = 560, height = 200, left = 34, bottom = 24, top = 8;
    const x = (i) => left + (i * (width - left - 10)) / Math.max(1, weeks.length - 1);
    const y = (v) => top + ((100 - v) * (height - top - bottom)) / 100;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": T.trend_label });
    for (const v of [0, 25, 50, 75, 100]) {
      chart.appendChild(svg("line", { x1: left, x2: width - 10, y1: y(v), y2: y(v), class: "grid-line" }));
      chart.appendChild(svg("text", { x: left - 4, y: y(v) + 4, "text-anchor": "end", class: "axis" }, v));
    }
    weeks.forEach((w, i) => {
      if (i % 2 === weeks.length % 2) return; // every other week's label, the last one included
      chart.appendChild(svg("text", { x: x(i), y: height - 6, "text-anchor": "middle", class: "axis" }, w.week.slice(5)));
    });
    for (const series of Object.keys(COLORS)) {
      let path = "";
      weeks.forEach((w, i) => {
        const v = w[series];
        if (v === null || v === undefined) return;
        path += (path ? " L " : "M ") + x(i).toFixed(1) + " " + y(v).toFixed(1);
        const dot = svg("circle", { cx: x(i), cy: y(v), r: 3, fill: COLORS[series] });
        dot.appendChild(svg("title", {}, `${T.series[series]} ${w.week}: ${v} %`));
        chart.appendChild(dot);
      });
      if (path) chart.appendChild(svg("path", { d: path, stroke: COLORS[series], class: "line", "data-series": series }));
    }
    $("trend").replaceChildren(chart);
    $("trend-legend").replaceChildren(...Object.keys(COLORS).map((series) => {
      const key = node("span", "key " + series, T.series[series]);
      return key;
    }));
  }

  function heat(map) {
    const most = Math.max(1, ...map.issued.flat());
    const head = node("tr");
    head.appendChild(node("th", "", ""));
    for (const hour of map.hours) head.appendChild(node("th", "", String(hour).padStart(2, "0")));
    const rows = map.weekdays.filter((d) => d < 6 || map.issued[d].some(Boolean)).map((d) => {
      const tr = node("tr");
      tr.appendChild(node("th", "", T.weekdays[d]));
      map.issued[d].forEach((count, i) => {
        const td = node("td", "", count ? String(count) : "");
        td.style.setProperty("--heat", (count / most).toFixed(3));
        td.title = `${T.weekdays[d]} ${map.hours[i]}:00 — ${count}`;
        if (count / most > 0.55) td.classList.add("hot");
        tr.appendChild(td);
      });
      return tr;
    });
    const caption = node("caption", "visually-hidden", T.heat_label);
    $("heat").replaceChildren(caption, head, ...rows);
  }

  function render(r) {
    const o = r.on_time, s = r.on_the_spot, t = r.time_reduction, n = r.online, f = r.satisfaction;
    $("period-label").textContent = r.period.label + " (" + r.period.from + " – " + r.period.to + ")";
    gauge("on_time", o.percent, o.target, fill(T.of, { part: o.on_time, whole: o.resolved }));
    gauge("on_the_spot", s.percent, s.target, fill(T.of, { part: s.met, whole: s.dossiers }));
    gauge("time_reduction", t.percent, t.target, t.dossiers + " ×");
    gauge("online", n.percent, n.target, fill(T.of, { part: n.online, whole: n.received }));
    gauge("satisfaction", f.percent, f.target, fill(T.of, { part: f.satisfied, whole: f.answered }));
    $("f-to-handle").textContent = r.dossiers.to_handle;
    $("f-carried").textContent = "+" + r.dossiers.carried;
    $("f-resolved").textContent = r.dossiers.resolved;
    $("f-pending").textContent = r.dossiers.pending;
    $("f-overdue").textContent = o.overdue_stock;
    $("f-apologies").textContent = r.extensions.apologies;
    $("f-tickets").textContent = r.queue.tickets.issued;
    $("f-wait").textContent = shown(r.queue.wait.mean);
    $("f-estimate").textContent = r.queue.estimate.mean_error === null ? "" : "± " + r.queue.estimate.mean_absolute_error;
    $("f-766").textContent = r.points_766.points + " / " + r.points_766.max;
    $("indicators").replaceChildren(...r.indicators_766.map((i) => {
      const tr = row(i.computable
        ? [i.code, english ? i.name_en : i.name, shown(i.value), shown(i.points), shown(i.max)]
        : [i.code, english ? i.name_en : i.name, "—", "—", "—"]);
      if (!i.computable) {
        tr.classList.add("muted");
        tr.title = fill(T.not_local, { reason: english ? i.reason_en : i.reason });
      }
      return tr;
    }));
    trend(r.trend);
    heat(r.heat_map);
    $("result").hidden = false;
  }

  function query() {
    const kind = $("kind").value;
    if (kind === "custom") return "?from=" + $("from").value + "&to=" + $("to").value;
    return "?period=" + kind + "&at=" + $("at").value;
  }

  async function load() {
    say("admin-error", "");
    try {
      render(await api("/api/v1/reports/dashboard" + query()));
    } catch (error) {
      say("admin-error", error.message);
    }
  }

  // A report as a file: fetched with the staff token, then saved under the server's name.
  async function download(button) {
    const kind = button.dataset.kind, format = button.dataset.format;
    say("admin-error", "");
    button.disabled = true;
    try {
      const response = await api(`/api/v1/reports/${kind}${query()}&format=${format}`, { raw: true });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        throw new Error((body && body.error && body.error.message) || response.statusText);
      }
      const name = (/filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "") || [])[1] || `${kind}.${format}`;
      const link = node("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (error) {
      say("admin-error", error.message);
    } finally {
      button.disabled = false;
    }
  }

  // Today in the office's days: its time zone's, not the browser's.
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: $("period").dataset.timezone }).format(new Date());
  $("at").value = today;
  $("from").value = today.slice(0, 8) + "01";
  $("to").value = today;
  $("kind").addEventListener("change", () => {
    const custom = $("kind").value === "custom";
    $("span").hidden = !custom;
    $("at").disabled = custom;
  });
  $("period").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("print").addEventListener("click", () => window.print());
  for (const button of document.querySelectorAll("button.download")) {
    button.addEventListener("click", () => download(button));
  }
  onestopAdmin.start(load);
})();
