"use strict";
// Agent console. Every piece of conversation text is put on the page with textContent,
// never as HTML, so markup a customer types is shown as text and never runs.

const EMOTIONS = { angry: "愤怒", anxious: "焦虑", disappointed: "失望", neutral: "平静", satisfied: "满意" };
const MODES = { bot: "机器人接待", takeover: "人工接管中", suggest: "机器人只建议", closed: "已结束" };
const RISK_RANK = { green: 0, yellow: 1, orange: 2, red: 3 };
const DRAFT_DELAY_MS = 150;

const state = { rows: new Map(), selected: null, detail: null, detailTimer: null, draftTimer: null, draftSeq: 0,
  me: null, team: null, view: "all", unread: 0, timeZone: null, revealed: new Map(),
  origin: null };
const TITLE = document.title;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function $(id) { return document.getElementById(id); }

async function api(path, options = {}) {
  const reply = await fetch(`api/${path}`, {
    ...options,
    headers: { "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (reply.status === 401) {
    window.location.href = "login";
    throw new Error("未登录");
  }
  const body = await reply.json().catch(() => ({}));
  return { ok: reply.ok, status: reply.status, body };
}

function emotionTag(emotion, intensity) {
  if (!emotion) return null;
  const label = EMOTIONS[emotion] || emotion;
  const strength = typeof intensity === "number" && intensity > 0 ? ` ${intensity.toFixed(2)}` : "";
  return el("span", { class: `tag emotion-${emotion}`, dataset: { emotion } }, label + strength);
}

function riskBadge(risk) {
  return el("span", { class: `badge risk-${risk.level}`, title: `风险分 ${risk.score}` }, risk.label || risk.level);
}

function timeOf(stamp) {
  if (!stamp) return "";
  // The shop's clock (knowledge/shop.yml), like every other time the desk shows, whatever the browser's zone.
  const options = { hour12: false, ...(state.timeZone ? { timeZone: state.timeZone } : {}) };
  return new Date(stamp * 1000).toLocaleTimeString("zh-CN", options);
}

// ------------------------------------------------------------------ conversation list

function inView(row) {
  const queue = row.queue || {};
  if (state.view === "team") return Boolean(state.me && queue.team && queue.team === state.me.team);
  if (state.view === "mine") return Boolean(state.me && queue.owner && queue.owner === state.me.username);
  return true;
}

function queueLabel(queue) {
  if (!queue) return null;
  return el("span", { class: `queue${queue.overdue ? " overdue" : ""}`, dataset: { testid: "row-queue" } },
    `${queue.team_name || queue.team || "人工"} · ${queue.owner_name || "待认领"}${queue.overdue ? " · 已超时" : ""}`);
}

function sortedRows() {
  return [...state.rows.values()].filter(inView).sort((a, b) =>
    (RISK_RANK[b.risk.level] - RISK_RANK[a.risk.level]) || (b.risk.score - a.risk.score) || (b.updated_at - a.updated_at));
}

function renderList() {
  const list = $("conversation-list");
  list.replaceChildren(...sortedRows().map((row) => el("li", {
    class: `conversation${row.conversation_id === state.selected ? " selected" : ""}`,
    dataset: { id: row.conversation_id, testid: "conversation-row" },
    onclick: () => select(row.conversation_id),
  },
  el("div", { class: "row-head" }, riskBadge(row.risk), emotionTag(row.emotion, row.intensity),
    el("span", { class: "stage" }, row.stage_name), el("span", { class: "mode" }, MODES[row.mode] || row.mode)),
  queueLabel(row.queue),
  el("div", { class: "preview" }, row.last_message),
  el("div", { class: "muted small" }, `${row.conversation_id.slice(0, 12)} · ${row.turns} 条 · ${timeOf(row.updated_at)}`))));
  $("list-empty").hidden = list.children.length > 0;
}

async function loadList() {
  const { ok, body } = await api(`conversations?view=${state.view}`);
  if (!ok) return;
  state.rows = new Map(body.conversations.map((row) => [row.conversation_id, row]));
  renderList();
}

// ------------------------------------------------------------------ one conversation

async function select(conversationId) {
  state.selected = conversationId;
  state.origin = null;
  loadTeam().catch(() => {});
// While the console is open its agent counts as online for auto-assignment; a closed tab stops pinging.
setInterval(() => { fetch("me").catch(() => {}); }, 60_000);
  $("draft").value = "";
  renderDraftCheck(null);
  renderList();
  await loadDetail();
}

function scheduleDetail() {
  clearTimeout(state.detailTimer);
  state.detailTimer = setTimeout(loadDetail, 50);
}

async function loadDetail() {
  if (!state.selected) return;
  const requested = state.selected;
  const { ok, body } = await api(`conversations/${encodeURIComponent(requested)}`);
  if (!ok || requested !== state.selected) return;
  state.detail = body;
  renderDetail(body);
  loadLibrary(requested);
}

// The reply library, filled in for this conversation; entries the guard refuses once filled are not insertable.
async function loadLibrary(conversationId) {
  const { ok, body } = await api(`conversations/${encodeURIComponent(conversationId)}/library`);
  if (!ok || conversationId !== state.selected) return;
  $("library").replaceChildren(...body.entries.map((entry) => el("li", {},
    el("button", {
      class: "suggestion", dataset: { testid: "library-entry", id: entry.id }, disabled: entry.allowed ? null : "disabled",
      title: entry.allowed ? "点击插入到回复草稿" : "填入本会话内容后未通过合规检查",
      onclick: () => {
        $("draft").value = entry.filled;
        state.origin = { source: `library:${entry.id}`, text: entry.filled };
        checkDraft();
      },
    }, el("strong", {}, entry.title), " ", entry.filled),
    entry.missing.length ? el("span", { class: "muted small" }, `（本会话还没有：${entry.missing.join("、")}）`) : null)));
}

function renderDetail(d) {
  $("no-selection").hidden = true;
  $("chat").hidden = false;
  $("side").hidden = false;
  $("chat-id").textContent = d.conversation_id;
  $("chat-mode").textContent = MODES[d.mode] || d.mode;
  $("chat-mode").dataset.mode = d.mode;
  const agentMode = d.mode === "takeover" || d.mode === "suggest";
  $("btn-takeover").disabled = d.mode === "takeover";
  $("btn-suggest").disabled = d.mode === "suggest";
  $("btn-handback").disabled = !agentMode && !d.paused;
  $("btn-send").disabled = !agentMode;
  $("btn-send").title = agentMode ? "" : "先接管会话才能发送";

  $("trend").replaceChildren(...d.emotion_trend.map((e, i) =>
    el("span", {}, i ? " → " : "", emotionTag(e))));
  $("transcript").replaceChildren(...d.transcript.map(renderLine));
  $("transcript").scrollTop = $("transcript").scrollHeight;

  $("fact-stage").textContent = d.stage_name + (d.requested_slot ? `（正在问：${d.requested_slot}）` : "");
  $("fact-intent").textContent = d.latest ? (d.latest.intent || "—") : "—";
  $("fact-emotion").replaceChildren(d.latest ? emotionTag(d.latest.emotion, d.latest.intensity) || "—" : "—");
  $("fact-profile").textContent = `${d.profile.name}${d.profile.reasons.length ? "：" + d.profile.reasons.join("；") : ""}`;
  $("fact-risk").replaceChildren(riskBadge(d.risk), ` ${d.risk.score} 分`);
  $("fact-level").textContent = [d.complaint_level, d.category_name].filter(Boolean).join(" · ") || "—";
  $("fact-order").textContent = d.order ? `${d.order.order_id} ${d.order.product}（¥${d.order.price}）` : "—";
  $("risk-reasons").replaceChildren(...d.risk.reasons.map((r) => el("li", {}, r)));
  const prediction = $("bot-prediction");
  prediction.hidden = !d.bot_prediction;
  if (d.bot_prediction) {
    prediction.textContent = `机器人预测下一步：${d.bot_prediction.action}（置信度 ${d.bot_prediction.confidence}），未发送`;
  }
  $("suggestions").replaceChildren(...d.suggestions.map((s) => el("li", {},
    el("button", { class: "suggestion", dataset: { testid: "suggestion" }, title: "点击插入到回复草稿",
      onclick: () => { $("draft").value = s.text; state.origin = { source: s.source, text: s.text }; checkDraft(); } }, s.text),
    s.rewritten ? el("span", { class: "muted small" }, "（已按合规要求改写）") : null)));
  renderTickets(d);
  renderQueue(d.queue);
  $("notes").replaceChildren(...(d.notes || []).map((n) => el("li", { class: "note", dataset: { testid: "note" } },
    el("span", { class: "muted small" }, `${n.author} ${n.at.slice(5, 16).replace("T", " ")}`), " ", n.text)));
}

function renderQueue(queue) {
  $("queue-box").hidden = !queue;
  if (!queue) return;
  const mine = state.me && queue.owner === state.me.username;
  const deadline = queue.respond_by ? queue.respond_by.slice(11, 16) : "—";
  $("queue-info").textContent = `${queue.team_name || queue.team} · ${queue.owner_name ? "负责人 " + queue.owner_name : "待认领"}`
    + ` · ${queue.answered ? "已回复" : "需在 " + deadline + " 前回复"}${queue.overdue ? "（已超时）" : ""}`;
  $("queue-info").classList.toggle("overdue", Boolean(queue.overdue));
  $("btn-claim").disabled = mine;
  $("btn-release").disabled = !queue.owner;
  const targets = $("transfer-target");
  if (state.team) {
    const chosen = targets.value;  // re-rendered on every update: keep what the agent picked
    targets.replaceChildren(
      el("optgroup", { label: "团队队列" }, ...state.team.teams.map((t) => el("option", { value: `team:${t.id}` }, t.name))),
      el("optgroup", { label: "同事" }, ...state.team.agents
        .filter((a) => !state.me || a.username !== state.me.username)
        .map((a) => el("option", { value: `to:${a.username}` }, `${a.display_name}${a.online ? "" : "（离线）"}`))));
    if (chosen && [...targets.options].some((option) => option.value === chosen)) targets.value = chosen;
  }
}

function renderLine(line) {
  if (line.role === "system") {
    return el("li", { class: "line system" }, line.event === "pause" ? "—— 机器人已暂停 ——" : "—— 机器人已恢复 ——");
  }
  const who = { customer: "顾客", bot: "机器人", agent: line.agent_name ? `坐席 ${line.agent_name}` : "坐席" }[line.role];
  return el("li", { class: `line ${line.role}`, dataset: { testid: `line-${line.role}` } },
    el("div", { class: "meta" }, who, " ", el("span", { class: "muted" }, timeOf(line.timestamp)),
      line.role === "customer" ? emotionTag(line.emotion, line.intensity) : null,
      line.role === "customer" && line.intent ? el("span", { class: "muted small" }, ` ${line.intent}`) : null),
    el("div", { class: "text", dataset: { testid: "line-text" } }, state.revealed.get(revealKey(line)) ?? line.text),
    line.masked && line.masked.length
      ? (state.revealed.has(revealKey(line)) ? el("div", { class: "muted small" }, "（已记录查看）") : revealControl(line))
      : null,
    line.buttons && line.buttons.length ? el("div", { class: "muted small" }, `按钮：${line.buttons.join(" / ")}`) : null);
}

function revealKey(line) { return `${state.selected}#${line.line}`; }

// Personal data is masked; showing it asks for a reason, and the server records who looked and why.
function revealControl(line) {
  const box = el("div", { class: "reveal muted small", dataset: { testid: "reveal" } });
  const reason = el("input", { placeholder: "查看原因（会被记录）", maxlength: "200", dataset: { testid: "reveal-reason" } });
  const start = el("button", { class: "link", dataset: { testid: "reveal-start" }, onclick: () => {
    box.replaceChildren(reason, confirm);
    reason.focus();
  } }, "已隐藏个人信息，查看");
  const confirm = el("button", { dataset: { testid: "reveal-confirm" }, onclick: async () => {
    const { ok, body } = await api(`conversations/${encodeURIComponent(state.selected)}/reveal`, {
      method: "POST", body: JSON.stringify({ line: line.line, reason: reason.value }),
    });
    if (!ok) { box.replaceChildren(start, " ", body.message || "查看失败"); return; }
    state.revealed.set(revealKey(line), body.text);  // kept while this page is open, across re-renders
    box.previousSibling.textContent = body.text;
    box.replaceChildren("（已记录查看）");
  } }, "确认查看");
  box.append(start);
  return box;
}

function renderTickets(d) {
  const box = $("tickets");
  const items = d.tickets.map((t) => el("div", { class: "ticket" },
    el("div", {}, el("strong", {}, t.ticket_id), ` ${t.level} · ${t.remedy}`),
    el("div", { class: "muted small" }, `状态 ${t.status}${t.satisfaction ? " · 满意度 " + t.satisfaction : ""}${t.resolve_by ? " · 截止 " + t.resolve_by : ""}`)));
  const photos = d.evidence.map((p) => el("a", {
    href: `api/conversations/${encodeURIComponent(d.conversation_id)}/evidence/${encodeURIComponent(p.evidence_id)}`,
    target: "_blank", rel: "noopener", class: "evidence", dataset: { testid: "evidence-link" },
  }, `照片 ${p.evidence_id}（${Math.round(p.size_bytes / 1024)} KB${p.ticket_id ? "，工单 " + p.ticket_id : ""}）`));
  const handoffs = d.handoffs.map((h) => el("details", { class: "handoff" },
    el("summary", {}, `转人工 ${h.created_at}${h.handed_back_at ? "（已交还）" : ""}`), el("pre", {}, h.summary)));
  box.replaceChildren(...items, ...photos, ...handoffs);
  if (!box.childNodes.length) box.append(el("p", { class: "muted" }, "还没有工单。"));
  const summary = $("closing-summary");
  summary.hidden = !d.closing_summary;
  summary.replaceChildren(el("h3", {}, "结束小结"), el("pre", {}, d.closing_summary || ""));
}

// ------------------------------------------------------------------ draft checker

function renderDraftCheck(check, text) {
  const box = $("draft-check");
  if (!check || !text) { box.hidden = true; return; }
  box.hidden = false;
  box.dataset.allowed = String(check.allowed);
  // Highlight each finding's span in the draft; the text itself stays text.
  const spans = [...check.findings].sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  for (const f of spans) {
    if (f.start < at) continue;
    parts.push(text.slice(at, f.start));
    parts.push(el("mark", { class: `finding ${f.severity}`, title: f.explanation, dataset: { testid: "finding", rule: f.rule_id } },
      text.slice(f.start, f.end)));
    at = f.end;
  }
  parts.push(text.slice(at));
  $("draft-highlight").replaceChildren(...parts);
  $("draft-findings").replaceChildren(...(check.findings.length
    ? check.findings.map((f) => el("li", { class: f.severity }, `「${f.text}」${f.explanation}`))
    : [el("li", { class: "ok", dataset: { testid: "draft-ok" } }, "未发现过度承诺，可以发送。")]));
  $("draft-rewrite-box").hidden = check.allowed;
  $("draft-rewrite").textContent = check.allowed ? "" : check.rewrite;
}

async function checkDraft() {
  const text = $("draft").value;
  const seq = ++state.draftSeq;
  if (!text.trim()) { renderDraftCheck(null); return; }
  const { ok, body } = await api("draft-check", {
    method: "POST", body: JSON.stringify({ text, conversation_id: state.selected }),
  });
  if (ok && seq === state.draftSeq) renderDraftCheck(body, text);
}

$("draft").addEventListener("input", () => {
  if (!$("draft").value.trim()) state.origin = null;  // cleared: what comes next is the agent's own
  clearTimeout(state.draftTimer);
  state.draftTimer = setTimeout(checkDraft, DRAFT_DELAY_MS);
});
$("use-rewrite").addEventListener("click", () => {
  $("draft").value = $("draft-rewrite").textContent;
  checkDraft();
});

// ------------------------------------------------------------------ steering

async function steer(path, payload = {}) {
  if (!state.selected) return;
  const { ok, body } = await api(`conversations/${encodeURIComponent(state.selected)}/${path}`, {
    method: "POST", body: JSON.stringify(payload),
  });
  $("send-status").textContent = ok ? "" : (body.message || "操作失败");
  await loadDetail();
  return { ok, body };
}

$("btn-claim").addEventListener("click", () => steer("claim"));
$("btn-release").addEventListener("click", () => steer("release"));
$("btn-transfer").addEventListener("click", async () => {
  const [kind, target] = $("transfer-target").value.split(/:(.*)/s);
  if (!target) return;
  const result = await steer("transfer", { [kind]: target, note: $("transfer-note").value });
  if (result && result.ok) $("transfer-note").value = "";
});
$("btn-note").addEventListener("click", async () => {
  const text = $("note-text").value.trim();
  if (!text) return;
  const result = await steer("notes", { text });
  if (result && result.ok) $("note-text").value = "";
});
// ------------------------------------------------------------------ search

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = $("search-q").value.trim();
  const box = $("search-results");
  if (!q) { box.hidden = true; return; }
  const { ok, body } = await api(`search?q=${encodeURIComponent(q)}`);
  box.hidden = false;
  if (!ok) { box.replaceChildren(el("p", { class: "muted" }, body.message || "搜索失败")); return; }
  const open = (id) => () => select(id);
  box.replaceChildren(
    el("div", { class: "muted small" }, `会话 ${body.conversation_total} 个 · 工单 ${body.ticket_total} 张`,
      el("button", { class: "link", onclick: () => { box.hidden = true; $("search-q").value = ""; } }, " 清除")),
    ...body.conversations.map((row) => el("button", {
      class: "search-hit", dataset: { testid: "search-conversation", id: row.conversation_id }, onclick: open(row.conversation_id),
    }, `${timeOf(row.updated_at)} ${row.last_message}`)),
    ...body.tickets.map((t) => el("button", {
      class: "search-hit", dataset: { testid: "search-ticket", id: t.ticket_id }, onclick: open(t.conversation_id),
    }, `工单 ${t.ticket_id} · ${t.remedy} · ${t.customer_text || ""}`)));
});

$("list-view").addEventListener("change", () => {
  state.view = $("list-view").value;
  loadList();
});
$("btn-takeover").addEventListener("click", () => steer("takeover", { mode: "takeover" }));
$("btn-suggest").addEventListener("click", () => steer("takeover", { mode: "suggest" }));
$("btn-handback").addEventListener("click", () => steer("handback"));
$("btn-close").addEventListener("click", () => steer("close"));
$("btn-send").addEventListener("click", async () => {
  const text = $("draft").value.trim();
  if (!text) return;
  // Where the draft started (a suggestion or a library entry), so the supervisors see what gets used.
  const result = await steer("messages", state.origin ? { text, origin: state.origin } : { text });
  if (result && result.ok) {
    state.origin = null;
    $("draft").value = "";
    renderDraftCheck(null);
    $("send-status").textContent = "已发送";
  } else if (result && result.body.check) {
    renderDraftCheck(result.body.check, text);
  }
});
// Who is logged in (the name customers see on this agent's messages), the teams and colleagues.
// Loaded again whenever a conversation is opened: colleagues log in and out during a shift.
async function loadTeam() {
  const { ok, body } = await api("team");
  if (!ok) return;
  state.me = body.me;
  state.team = body;
  state.timeZone = body.time_zone;
  $("who").textContent = `${body.me.display_name}（${body.me.username}）`;
  renderList();
  if (state.detail) renderQueue(state.detail.queue);
}
loadTeam().catch(() => {});

// ------------------------------------------------------------------ alerts

// A count in the tab title while the agent looks elsewhere; optionally a sound and a desktop notification.
function alertWorthy(previous, row) {
  const queue = row.queue || {};
  if (!state.me) return null;
  const newInMyQueue = queue.team && queue.team === state.me.team && !queue.owner
    && !(previous && previous.queue && previous.queue.team === queue.team);
  const assignedToMe = queue.owner === state.me.username && !(previous && previous.queue && previous.queue.owner === queue.owner);
  const customerWroteInMine = queue.owner === state.me.username && previous && row.turns > previous.turns;
  const turnedRed = row.risk.level === "red" && (!previous || previous.risk.level !== "red");
  if (newInMyQueue) return `新会话进入${queue.team_name || "团队"}队列`;
  if (assignedToMe) return "有会话分配给你";
  if (customerWroteInMine) return "你负责的会话有顾客新消息";
  if (turnedRed) return "有会话升为红色风险";
  return null;
}

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch (e) { /* no audio device */ }
}

function raiseAlert(reason, row) {
  if (!document.hidden && row.conversation_id === state.selected) return;
  state.unread += 1;
  document.title = `(${state.unread}) ${TITLE}`;
  document.body.dataset.unread = String(state.unread);
  if ($("alert-sound").checked) beep();
  if ($("alert-notify").checked && "Notification" in window && Notification.permission === "granted") {
    new Notification(reason, { body: row.last_message || "", tag: row.conversation_id });
  }
}

function clearAlerts() {
  state.unread = 0;
  document.title = TITLE;
  document.body.dataset.unread = "0";
}

document.addEventListener("visibilitychange", () => { if (!document.hidden) clearAlerts(); });
window.addEventListener("focus", clearAlerts);
$("conversation-list").addEventListener("click", clearAlerts);
$("alert-notify").addEventListener("change", () => {
  if ($("alert-notify").checked && "Notification" in window && Notification.permission === "default") {
    Notification.requestPermission();
  }
});

$("logout").addEventListener("click", async () => {
  await fetch("logout", { method: "POST" });
  window.location.href = "login";
});

// ------------------------------------------------------------------ live feed

function connectFeed() {
  const feed = new EventSource("api/stream");
  feed.addEventListener("open", () => {
    $("feed-status").textContent = "实时更新中";
    $("feed-status").dataset.live = "1";
    loadList();  // anything that changed while the stream was down
  });
  feed.addEventListener("error", () => { $("feed-status").textContent = "实时连接中断，正在重连…"; $("feed-status").dataset.live = "0"; });
  feed.addEventListener("conversation", (event) => {
    const row = JSON.parse(event.data);
    const reason = alertWorthy(state.rows.get(row.conversation_id), row);
    state.rows.set(row.conversation_id, row);
    if (reason) raiseAlert(reason, row);
    renderList();
    if (row.conversation_id === state.selected) scheduleDetail();
  });
  feed.addEventListener("refresh", () => { loadList(); scheduleDetail(); });
}

connectFeed();
