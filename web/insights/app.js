// The supervisor insights page: reads /api/insights with the filters and draws it with Chart.js.
"use strict";

const CATEGORY_COLORS = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316",
  "#6366f1", "#84cc16", "#9ca3af"];
const LEVEL_COLORS = {"咨询": "#93c5fd", "异议": "#fbbf24", "投诉": "#f97316", "升级投诉": "#dc2626", unknown: "#9ca3af"};
const EMOTION_COLORS = {angry: "#dc2626", anxious: "#f59e0b", disappointed: "#8b5cf6", neutral: "#9ca3af", satisfied: "#10b981"};
const GOOD = "#10b981", WARN = "#f59e0b", BAD = "#dc2626", CALM = "#93c5fd", GREY = "#cbd2d9";

const charts = {};
let latest = null;
let labels = null;

Chart.defaults.animation = false;
Chart.defaults.font.family = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
Chart.defaults.maintainAspectRatio = false;

// Draws "暂无数据" on a chart whose datasets are all zero or empty.
Chart.register({
  id: "emptyMessage",
  afterDraw(chart) {
    const total = chart.data.datasets.reduce((sum, d) => sum + d.data.reduce((a, b) => a + (Number(b) || 0), 0), 0);
    if (total > 0) return;
    const {ctx, chartArea} = chart;
    if (!chartArea) return;
    ctx.save();
    ctx.fillStyle = "#9aa5b1";
    ctx.font = "14px sans-serif";
    ctx.textAlign = "center";
    ctx.fillText("暂无数据", (chartArea.left + chartArea.right) / 2, (chartArea.top + chartArea.bottom) / 2);
    ctx.restore();
  },
});

function $(id) { return document.getElementById(id); }

function percent(rate) { return rate === null || rate === undefined ? "–" : (rate * 100).toFixed(1) + "%"; }

function categoryLabel(id) { return (labels && labels.categories[id]) || id; }

function levelLabel(id) { return id === "unknown" ? "未记录" : id; }

function draw(id, config) {
  const canvas = $(id);
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart(canvas, config);
}

function barConfig(labelsList, datasets, options = {}) {
  return {
    type: "bar",
    data: {labels: labelsList, datasets},
    options: {
      indexAxis: options.horizontal ? "y" : "x",
      plugins: {legend: {display: datasets.length > 1, position: "bottom"}},
      scales: {
        x: {stacked: !!options.stacked, ticks: {precision: 0}},
        y: {stacked: !!options.stacked, ticks: {precision: 0, autoSkip: false}},
      },
    },
  };
}

function filterParams() {
  const params = new URLSearchParams();
  for (const name of ["since", "until", "category", "level"]) {
    const value = $("filter-" + name).value;
    if (value) params.set(name, value);
  }
  return params;
}

function showMessage(text) {
  const box = $("message");
  box.textContent = text;
  box.hidden = !text;
}

async function load() {
  document.body.dataset.state = "loading";
  const params = filterParams();
  $("export-csv").href = "api/export.csv?" + params;
  $("export-json").href = "api/export.json?" + params;
  let reply;
  try {
    reply = await fetch("api/insights?" + params, {credentials: "same-origin"});
  } catch (e) {
    showMessage("连不上服务器，请稍后刷新。");
    document.body.dataset.state = "error";
    return;
  }
  if (reply.status === 401) { window.location.reload(); return; }
  const body = await reply.json();
  if (!reply.ok) {
    showMessage(body.message || "查询失败，请检查筛选条件。");
    document.body.dataset.state = "error";
    return;
  }
  showMessage("");
  latest = body;
  render(body);
  document.body.dataset.loads = String(Number(document.body.dataset.loads) + 1);
  document.body.dataset.state = "ready";
}

function fillFilterOptions(data) {
  const category = $("filter-category");
  if (category.options.length > 1) return;
  for (const [id, title] of Object.entries(data.labels.categories)) {
    if (id === "unknown") continue;
    category.add(new Option(title, id));
  }
  for (const level of data.labels.levels) $("filter-level").add(new Option(level, level));
}

function render(data) {
  labels = data.labels;
  fillFilterOptions(data);
  const s = data.summary;
  $("kpi-cases").textContent = s.cases;
  $("kpi-escalation").textContent = percent(s.escalation_rate);
  $("kpi-resolution").textContent = percent(s.resolution_rate);
  $("kpi-calmer").textContent = percent(s.calmer_rate);
  $("kpi-sla").textContent = percent(s.sla_breach_rate);
  $("kpi-followups").textContent = s.follow_ups_overdue;
  renderVolume(data.volume);
  renderEmotions(data.emotions);
  renderEscalation(data.escalation);
  renderResolution(data.resolution);
  renderSla(data.sla);
  renderFollowUps(data.follow_ups);
  renderRootCauses(data.root_causes);
}

function renderVolume(volume) {
  const buckets = volume.buckets.map((b) => (volume.granularity === "week" ? b.slice(5) + " 周" : b.slice(5)));
  const byCategory = Object.entries(volume.by_category).map(([id, counts], i) => ({
    label: categoryLabel(id), data: counts, backgroundColor: CATEGORY_COLORS[i % CATEGORY_COLORS.length],
  }));
  draw("chart-volume-category", barConfig(buckets, byCategory, {stacked: true}));
  const byLevel = Object.entries(volume.by_level).map(([level, counts]) => ({
    label: levelLabel(level), data: counts, borderColor: LEVEL_COLORS[level] || GREY,
    backgroundColor: LEVEL_COLORS[level] || GREY, tension: 0.25, fill: false,
  }));
  draw("chart-volume-level", {
    type: "line",
    data: {labels: buckets, datasets: byLevel},
    options: {plugins: {legend: {position: "bottom"}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}},
  });
}

function renderEmotions(emotions) {
  const names = emotions.order.map((e) => labels.emotions[e]);
  draw("chart-emotions", barConfig(names, [
    {label: "开始时", data: emotions.order.map((e) => emotions.start[e]), backgroundColor: "#fca5a5"},
    {label: "结束时", data: emotions.order.map((e) => emotions.end[e]), backgroundColor: "#60a5fa"},
  ]));
  const change = emotions.change;
  draw("chart-emotion-change", {
    type: "doughnut",
    data: {
      labels: ["平复了", "没变化", "更激动了"],
      datasets: [{data: [change.calmer, change.same, change.worse], backgroundColor: [GOOD, CALM, BAD]}],
    },
    options: {plugins: {legend: {position: "bottom"}}},
  });
  $("note-emotion").textContent =
    `结束时比开始时平复的占 ${percent(emotions.calmer_rate)}，更激动的占 ${percent(emotions.worse_rate)}；` +
    `${change.unknown} 起没有情绪记录（如直接转人工）。`;
}

function renderEscalation(escalation) {
  draw("chart-escalation-triggers", barConfig(
    escalation.triggers.map((t) => t.label),
    [{label: "次数", data: escalation.triggers.map((t) => t.count), backgroundColor: BAD}],
    {horizontal: true},
  ));
  const rows = Object.entries(escalation.by_category);
  draw("chart-escalation-category", {
    type: "bar",
    data: {
      labels: rows.map(([id]) => categoryLabel(id).split(" / ")[0]),
      datasets: [{label: "升级率 %", data: rows.map(([, r]) => (r.cases ? Math.round((1000 * r.escalated) / r.cases) / 10 : 0)),
        backgroundColor: WARN}],
    },
    options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, max: 100}}},
  });
  $("note-escalation").textContent =
    `升级 ${escalation.escalated} / ${escalation.cases} 起（${percent(escalation.rate)}）：` +
    `最高等级 ${escalation.top_level} 起，转人工 ${escalation.handed_off} 起。`;
}

function renderResolution(resolution) {
  draw("chart-remedies-accepted", barConfig(
    resolution.remedies_accepted.map((r) => r.label),
    [{label: "工单数", data: resolution.remedies_accepted.map((r) => r.count), backgroundColor: GOOD}],
    {horizontal: true},
  ));
  draw("chart-remedies-declined", barConfig(
    resolution.remedies_declined.map((r) => r.label),
    [{label: "被拒绝次数", data: resolution.remedies_declined.map((r) => r.count), backgroundColor: BAD}],
    {horizontal: true},
  ));
  const sat = resolution.satisfaction;
  $("note-resolution").textContent =
    `已解决 ${resolution.resolved} / ${resolution.cases} 起（${percent(resolution.rate)}）；` +
    `满意 ${sat.satisfied}，不满意 ${sat.unsatisfied}，未回复 ${sat.unknown}。`;
  $("note-declined").textContent =
    `${resolution.customers_declined} 位客户拒绝过方案：${resolution.declined_then_accepted} 起换了方案后接受，` +
    `${resolution.declined_everything} 起全部拒绝后转人工。`;
}

function renderSla(sla) {
  const first = sla.first_response;
  const levels = Object.keys(first.by_level);
  draw("chart-sla-first-response", barConfig(levels.map((l) => `${l}（${first.by_level[l].deadline_minutes} 分钟）`), [
    {label: "按时", data: levels.map((l) => first.by_level[l].within), backgroundColor: GOOD},
    {label: "超时", data: levels.map((l) => first.by_level[l].breached), backgroundColor: BAD},
  ], {stacked: true}));
  $("note-first-response").textContent =
    `首次响应中位数 ${first.median_seconds ?? "–"} 秒，P90 ${first.p90_seconds ?? "–"} 秒；超时 ${first.breached} / ${first.measured}。`;
  const res = sla.resolution;
  const rl = Object.keys(res.by_level);
  draw("chart-sla-resolution", barConfig(rl.map((l) => `${l}（${res.by_level[l].deadline_hours} 小时）`), [
    {label: "按时解决", data: rl.map((l) => res.by_level[l].resolved_within), backgroundColor: GOOD},
    {label: "超时解决", data: rl.map((l) => res.by_level[l].resolved_late), backgroundColor: WARN},
    {label: "处理中（未超时）", data: rl.map((l) => res.by_level[l].open_within), backgroundColor: CALM},
    {label: "处理中（已超时）", data: rl.map((l) => res.by_level[l].open_overdue), backgroundColor: BAD},
  ], {stacked: true}));
  $("note-resolution-time").textContent =
    `解决用时中位数 ${res.median_hours ?? "–"} 小时，P90 ${res.p90_hours ?? "–"} 小时；` +
    `共 ${sla.breached_tickets} 张工单有超时（${percent(sla.breach_rate)}）。`;
  const kinds = {first_response: "首次响应", resolution: "解决超时", open_overdue: "未解决已超时"};
  fillTable("breaches", sla.breaches.map((b) => [
    b.ticket_id, b.category_label, levelLabel(b.level), kinds[b.kind] || b.kind, b.created_at.replace("T", " "),
    {text: formatMinutes(b.late_by_minutes), className: "late"},
  ]), "没有超时记录");
}

function formatMinutes(minutes) {
  if (minutes < 60) return `${minutes.toFixed(0)} 分钟`;
  if (minutes < 60 * 48) return `${(minutes / 60).toFixed(1)} 小时`;
  return `${(minutes / 1440).toFixed(1)} 天`;
}

function renderFollowUps(followUps) {
  draw("chart-follow-ups", barConfig(
    ["已逾期", `${followUps.due_soon_hours} 小时内到期`, "更晚到期", "已回访", "触发失败"],
    [{label: "回访数", data: [followUps.overdue, followUps.due_soon, followUps.later, followUps.fired, followUps.failed],
      backgroundColor: [BAD, WARN, CALM, GOOD, BAD]}],
  ));
  const repeat = followUps.repeat_complainants;
  const buckets = Object.keys(repeat.distribution);
  draw("chart-repeat", barConfig(buckets.map((b) => `投诉 ${b} 次`),
    [{label: "客户数", data: buckets.map((b) => repeat.distribution[b]), backgroundColor: "#8b5cf6"}]));
  $("note-repeat").textContent =
    `${repeat.customers} 位客户重复投诉，共 ${repeat.cases} 起，占全部投诉的 ${percent(repeat.share_of_cases)}。`;
  // Follow-ups the worker gave up on come first: nobody will call these customers unless someone acts.
  fillTable("pending-follow-ups", [
    ...followUps.failed_list.map((f) => [
      f.ticket_id, f.due_at.replace("T", " "),
      {text: `触发失败（${f.attempts} 次），请人工回访`, className: "late", title: f.last_error},
    ]),
    ...followUps.pending.map((p) => [
      p.ticket_id, p.due_at.replace("T", " "), p.overdue ? {text: "已逾期", className: "late"} : "即将到期",
    ]),
  ], "没有待回访");
  fillTable("repeat-customers", repeat.top.map((r) => [
    r.customer, r.cases + (r.same_order_repeat ? "（含同一订单）" : ""),
    r.categories.map((c) => categoryLabel(c).split(" / ")[0]).join("、"), r.latest.replace("T", " "),
  ]), "没有重复投诉客户");
}

function renderRootCauses(rootCauses) {
  const select = $("root-cause-category");
  const previous = select.value;
  select.innerHTML = "";
  for (const id of Object.keys(rootCauses)) select.add(new Option(categoryLabel(id), id));
  if (previous && rootCauses[previous]) select.value = previous;
  drawRootCauses();
}

function drawRootCauses() {
  const id = $("root-cause-category").value;
  const items = (latest && latest.root_causes[id]) || [];
  draw("chart-root-causes", {
    type: "bar",
    data: {
      labels: items.map((i) => i.phrase),
      datasets: [{label: "TF-IDF 权重", data: items.map((i) => i.weight), backgroundColor: "#2563eb",
        cases: items.map((i) => i.cases)}],
    },
    options: {
      indexAxis: "y",
      plugins: {
        legend: {display: false},
        tooltip: {callbacks: {afterLabel: (ctx) => `提到的投诉：${ctx.dataset.cases[ctx.dataIndex]} 起`}},
      },
    },
  });
}

function fillTable(id, rows, emptyText) {
  const body = $(id).querySelector("tbody");
  body.innerHTML = "";
  if (!rows.length) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = $(id).querySelectorAll("th").length;
    td.textContent = emptyText;
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      const td = tr.insertCell();
      if (cell && typeof cell === "object") {
        td.textContent = cell.text;
        td.className = cell.className;
        if (cell.title) td.title = cell.title;
      } else {
        td.textContent = cell;
      }
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("filter-reset").addEventListener("click", () => { $("filters").reset(); load(); });
  $("root-cause-category").addEventListener("change", drawRootCauses);
  $("logout").addEventListener("click", async () => {
    await fetch("logout", {method: "POST", credentials: "same-origin"});
    window.location.reload();
  });
  load();
});
