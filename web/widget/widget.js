/* 投诉助手 storefront chat widget.
 *
 * Embed on any shop page:
 *   <script src="https://<rasa-server>/webhooks/storefront/widget.js" defer></script>
 * Optional attributes: data-server="https://<rasa-server>" (defaults to where this file came from),
 * data-title="在线客服", data-sound="on" (a short tone for a new message while the panel is closed).
 *
 * Talks to Rasa's socket.io channel (events user_uttered / bot_uttered, session persistence) and to the
 * storefront routes beside it: /status (service hours, the queue while waiting for a human), /handoff/cancel,
 * /leave-message (留言), /rating (1–5 stars). The session id and the message history live in localStorage, so a
 * reload continues the same conversation. All message text is inserted with textContent, never as HTML. The
 * wording comes from the server (knowledge/widget.yml); the defaults below only cover the first moment.
 */
(function () {
  "use strict";
  const script = document.currentScript;
  const server = (script && script.dataset.server) || (script ? new URL(script.src).origin : window.location.origin);
  const base = `${server}/webhooks/storefront`;
  const title = (script && script.dataset.title) || "在线客服";
  const soundOn = Boolean(script && script.dataset.sound === "on");
  // A shopper the shop signed in (its backend computes the signature; README: 登录的顾客). Anonymous without it.
  const shopper = script && script.dataset.shopperId && script.dataset.shopperSignature ? {
    id: script.dataset.shopperId, name: script.dataset.shopperName || "", expires: Number(script.dataset.shopperExpires),
    signature: script.dataset.shopperSignature,
  } : null;
  const SESSION_KEY = "complaint_desk_session";
  const HISTORY_KEY = "complaint_desk_history";
  const OPEN_KEY = "complaint_desk_open";
  const MAX_HISTORY = 200;
  const TYPING_TIMEOUT_MS = 20000;
  const RECEIPT_TIMEOUT_MS = 15000;
  const QUEUE_POLL_MS = 15000;
  const HUMAN_PAYLOAD = "/request_human";

  let texts = {
    "header.human_button": "转人工", "header.leave_message_button": "留言", "header.bot_name": "智能客服",
    "header.greeting": "您好，这里是在线客服。遇到什么问题都可以跟我说。",
    "queue.cancel_button": "取消转人工", "leave_message.submit": "提交留言", "leave_message.cancel": "返回聊天",
    "leave_message.text_label": "您遇到的问题", "leave_message.contact_label": "联系电话或邮箱",
    "leave_message.photo_label": "照片（选填）", "leave_message.intro": "请留下您的问题和联系方式。",
    "leave_message.text_placeholder": "", "leave_message.contact_placeholder": "",
    "rating.submit": "提交评价", "rating.comment_placeholder": "", "message_state.sending": "发送中",
    "message_state.failed": "发送失败，点击重试", "message_state.unread_title": "（{count} 条新消息）",
    "shopper.orders_button": "选订单", "shopper.orders_title": "选择要咨询的订单", "shopper.order_message": "订单号 {order_id}",
    "shopper.no_orders": "没有查到您最近的订单。", "shopper.greeting": "{name}，您好！",
  };
  let starLabels = { 1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意" };
  let uploadConfig = { max_bytes: 5 * 1024 * 1024, allowed_types: ["image/jpeg", "image/png", "image/webp"], customer_note: "我上传了照片凭证。" };
  const t = (key, values) => String(texts[key] || "").replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? values[name] : ""));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function postJson(path, body) {
    return fetch(`${base}/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = el("script", { src });
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`无法加载 ${src}`));
      document.head.append(tag);
    });
  }

  function readHistory() {
    try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }

  const history = readHistory();
  let socket = null;
  let sessionId = localStorage.getItem(SESSION_KEY);
  let typingTimer = null;
  let queueTimer = null;
  let unread = 0;
  let titleTimer = null;
  const pageTitle = document.title;
  const receiptTimers = new Map();

  // ---------------------------------------------------------------- DOM

  document.head.append(el("link", { rel: "stylesheet", href: `${base}/widget.css` }));
  const messages = el("ol", { class: "cdw-messages", "data-testid": "widget-messages", "aria-live": "polite", "aria-label": "聊天记录", tabindex: "0" });
  const typing = el("div", { class: "cdw-typing", "data-testid": "widget-typing", hidden: "" }, "客服正在输入", el("span", { class: "cdw-dots", "aria-hidden": "true" }, "…"));
  const status = el("div", { class: "cdw-status", "data-testid": "widget-status", role: "status", hidden: "" });
  const hoursBanner = el("div", { class: "cdw-banner", "data-testid": "widget-hours", hidden: "" });
  const queueText = el("p", { class: "cdw-queue-text", "data-testid": "widget-queue-text" });
  const queueNext = el("p", { class: "cdw-queue-next" });
  const queueCancel = el("button", { type: "button", class: "cdw-link", "data-testid": "widget-queue-cancel" }, "取消转人工");
  const queueCard = el("div", { class: "cdw-queue", "data-testid": "widget-queue", role: "status", "aria-live": "polite", hidden: "" }, queueText, queueNext, queueCancel);
  const input = el("input", { class: "cdw-input", type: "text", placeholder: "请描述您遇到的问题…", maxlength: "1000", "data-testid": "widget-input", "aria-label": "输入消息", enterkeyhint: "send" });
  const fileInput = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", hidden: "", "data-testid": "widget-file", "aria-hidden": "true", tabindex: "-1" });
  const attach = el("button", { class: "cdw-attach", type: "button", title: "上传照片凭证", "aria-label": "上传照片凭证", "data-testid": "widget-attach" }, "传图");
  const send = el("button", { class: "cdw-send", type: "submit", "data-testid": "widget-send" }, "发送");
  const ordersButton = shopper ? el("button", { class: "cdw-attach", type: "button", "data-testid": "widget-orders" }, "选订单") : null;
  const form = el("form", { class: "cdw-form" }, ordersButton, attach, fileInput, input, send);

  const leaveText = el("textarea", { id: "cdw-leave-text", class: "cdw-textarea", rows: "4", maxlength: "1000", "data-testid": "widget-leave-text" });
  const leaveContact = el("input", { id: "cdw-leave-contact", class: "cdw-input", type: "text", inputmode: "tel", autocomplete: "tel", "data-testid": "widget-leave-contact" });
  const leavePhotos = el("input", { id: "cdw-leave-photos", type: "file", multiple: "", accept: "image/jpeg,image/png,image/webp", "data-testid": "widget-leave-photos" });
  const leaveError = el("p", { class: "cdw-error", role: "alert", "data-testid": "widget-leave-error" });
  const leaveIntro = el("p", { class: "cdw-leave-intro" });
  const leaveLabels = [el("label", { for: "cdw-leave-text" }), el("label", { for: "cdw-leave-contact" }), el("label", { for: "cdw-leave-photos" })];
  const leaveSubmit = el("button", { type: "submit", class: "cdw-send cdw-wide", "data-testid": "widget-leave-submit" }, "提交留言");
  const leaveBack = el("button", { type: "button", class: "cdw-link", "data-testid": "widget-leave-cancel" }, "返回聊天");
  const leaveForm = el("form", { class: "cdw-leave", "data-testid": "widget-leave-form", hidden: "", "aria-label": "留言" },
    leaveIntro, leaveLabels[0], leaveText, leaveLabels[1], leaveContact, leaveLabels[2], leavePhotos, leaveError,
    el("div", { class: "cdw-leave-actions" }, leaveBack, leaveSubmit));

  const humanButton = el("button", { type: "button", class: "cdw-head-button", "data-testid": "widget-human" }, "转人工");
  const leaveButton = el("button", { type: "button", class: "cdw-head-button", "data-testid": "widget-leave" }, "留言");
  const close = el("button", { class: "cdw-close", type: "button", "aria-label": "关闭客服窗口", "data-testid": "widget-close" }, "×");
  const heading = el("h2", { id: "cdw-title", class: "cdw-title" }, title);
  const panel = el("section", { class: "cdw-panel", "data-testid": "widget-panel", hidden: "", role: "dialog", "aria-labelledby": "cdw-title" },
    el("header", { class: "cdw-header" }, heading, el("div", { class: "cdw-head-actions" }, humanButton, leaveButton, close)),
    status, hoursBanner, queueCard, messages, typing, form, leaveForm);
  const badge = el("span", { class: "cdw-badge", "data-testid": "widget-unread", hidden: "", "aria-hidden": "true" });
  const bubble = el("button", { class: "cdw-bubble", type: "button", "data-testid": "widget-bubble", "aria-label": title }, title, badge);
  const root = el("div", { class: "cdw-root" }, panel, bubble);
  document.body.append(root);

  function applyWording() {
    humanButton.textContent = t("header.human_button");
    leaveButton.textContent = t("header.leave_message_button");
    queueCancel.textContent = t("queue.cancel_button");
    leaveIntro.textContent = t("leave_message.intro");
    leaveLabels[0].textContent = t("leave_message.text_label");
    leaveLabels[1].textContent = t("leave_message.contact_label");
    leaveLabels[2].textContent = t("leave_message.photo_label");
    leaveText.placeholder = t("leave_message.text_placeholder");
    leaveContact.placeholder = t("leave_message.contact_placeholder");
    leaveSubmit.textContent = t("leave_message.submit");
    leaveBack.textContent = t("leave_message.cancel");
    if (ordersButton) ordersButton.textContent = t("shopper.orders_button");
  }

  // ---------------------------------------------------------------- messages

  function scrollDown() { messages.scrollTop = messages.scrollHeight; }
  const clock = (at) => (at ? new Date(at).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false }) : "");
  const newId = () => `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

  function timeTag(item) {
    return item.at ? el("time", { class: "cdw-time", "data-testid": "widget-msg-time", datetime: new Date(item.at).toISOString() }, clock(item.at)) : null;
  }

  function userLine(item) {
    const meta = el("span", { class: "cdw-meta" }, timeTag(item));
    if (item.state === "sending") meta.append(el("span", { class: "cdw-state", "data-testid": "widget-msg-sending" }, ` · ${t("message_state.sending")}`));
    const line = el("li", { class: "cdw-msg cdw-user", "data-testid": "widget-msg-user", "data-state": item.state || "sent", "data-id": item.id || "" },
      el("span", { class: "cdw-text" }, item.text), meta);
    if (item.state === "failed") {
      line.append(el("button", { type: "button", class: "cdw-retry", "data-testid": "widget-retry", onclick: () => retry(item) }, t("message_state.failed")));
    }
    return line;
  }

  function ratingCard(item) {
    const card = el("li", { class: "cdw-rating", "data-testid": "widget-rating", role: "group", "aria-label": item.question });
    if (item.done) {
      card.append(el("p", { class: "cdw-rating-done", "data-testid": "widget-rating-done" }, `${"★".repeat(item.done)}${"☆".repeat(5 - item.done)} ${starLabels[item.done] || ""}`));
      return card;
    }
    let chosen = 0;
    const stars = el("div", { class: "cdw-stars", role: "radiogroup", "aria-label": item.question });
    const buttons = [1, 2, 3, 4, 5].map((n) => el("button", {
      type: "button", class: "cdw-star", role: "radio", "aria-checked": "false", "aria-label": `${n} 星 ${starLabels[n] || ""}`,
      "data-testid": "widget-star", "data-stars": String(n), onclick: () => choose(n),
    }, "☆"));
    const label = el("span", { class: "cdw-star-label", "aria-hidden": "true" });
    function choose(n) {
      chosen = n;
      buttons.forEach((b, i) => { b.textContent = i < n ? "★" : "☆"; b.setAttribute("aria-checked", String(i + 1 === n)); });
      label.textContent = starLabels[n] || "";
      submit.disabled = false;
    }
    stars.append(...buttons, label);
    const comment = el("textarea", { class: "cdw-textarea", rows: "2", maxlength: "500", "aria-label": t("rating.comment_placeholder") || "评价", placeholder: t("rating.comment_placeholder"), "data-testid": "widget-rating-comment" });
    const error = el("p", { class: "cdw-error", role: "alert" });
    const submit = el("button", { type: "button", class: "cdw-send cdw-wide", disabled: "", "data-testid": "widget-rating-submit" }, t("rating.submit"));
    submit.addEventListener("click", () => rate(item, chosen, comment.value, error));
    card.append(el("p", { class: "cdw-rating-question" }, item.question), stars, comment, error, submit);
    return card;
  }

  function orderCards(item) {
    const list = el("li", { class: "cdw-orders", "data-testid": "widget-order-cards", role: "group", "aria-label": t("shopper.orders_title") },
      el("p", { class: "cdw-orders-title" }, item.orders.length ? t("shopper.orders_title") : t("shopper.no_orders")));
    for (const order of item.orders) {
      list.append(el("button", {
        type: "button", class: "cdw-order", "data-testid": "widget-order-card", "data-order": order.order_id,
        onclick: () => { dropPendingOrders(); sendMessage(t("shopper.order_message", { order_id: order.order_id })); },
      }, el("span", { class: "cdw-order-product" }, `${order.product}  ¥${Math.round(order.price)}`),
      el("span", { class: "cdw-order-meta" }, `${order.order_id} · ${order.purchased_at} · ${order.status}`)));
    }
    return list;
  }

  async function showOrders() {
    dropPendingOrders();
    try {
      const reply = await postJson("orders", { shopper });
      const result = await reply.json().catch(() => ({}));
      if (!reply.ok) { remember({ kind: "text", from: "notice", text: result.message || "订单暂时查不到，请直接输入订单号。" }); return; }
      remember({ kind: "orders", orders: result.orders || [] });
      const first = messages.querySelector("[data-testid='widget-order-card']");
      if (first) first.focus();
    } catch (e) {
      remember({ kind: "text", from: "notice", text: "订单暂时查不到，请检查网络后再试。" });
    }
  }

  // The signed-in shopper's conversation as the server keeps it: the same on every device.
  async function loadServerHistory() {
    if (!shopper) return;
    try {
      const reply = await postJson("history", { shopper });
      if (!reply.ok) return;
      const result = await reply.json();
      if (!result.items || !result.items.length) return;
      const pending = history.filter((item) => item.from === "user" && item.state !== "sent");
      history.length = 0;
      history.push(...result.items, ...pending);
      save();
      messages.replaceChildren();
      history.forEach(render);
    } catch (e) { /* the local copy stays */ }
  }

  function render(item) {
    let node;
    if (item.kind === "buttons") {
      node = el("li", { class: "cdw-quick", "data-testid": "widget-quick-replies" });
      for (const button of item.buttons) {
        node.append(el("button", {
          type: "button", class: "cdw-quick-button", "data-testid": "widget-quick-reply",
          onclick: () => { node.remove(); dropPendingButtons(); sendMessage(button.payload, button.title); },
        }, button.title));
      }
    } else if (item.kind === "system") {
      // Who is talking: a person joined or left. Not a message, a line across the conversation.
      node = el("li", { class: "cdw-system", "data-testid": "widget-msg-system", role: "note" }, item.text);
    } else if (item.kind === "rating") {
      node = ratingCard(item);
    } else if (item.kind === "orders") {
      node = orderCards(item);
    } else if (item.kind === "photo") {
      node = el("li", { class: "cdw-msg cdw-user cdw-photo", "data-testid": "widget-photo" }, `[照片] ${item.text}`);
    } else if (item.from === "user") {
      node = userLine(item);
    } else if (item.from === "bot") {
      const from = item.agent ? `人工客服 ${item.agent}` : t("header.bot_name");
      node = el("li", { class: `cdw-msg cdw-bot${item.agent ? " cdw-agent" : ""}`, "data-testid": "widget-msg-bot" },
        el("span", { class: "cdw-from", "data-testid": "widget-msg-from" }, from), el("span", { class: "cdw-text" }, item.text), timeTag(item));
    } else {
      node = el("li", { class: `cdw-msg cdw-${item.from}`, "data-testid": `widget-msg-${item.from}` }, item.text);
    }
    item.node = node;
    messages.append(node);
    scrollDown();
  }

  function save() {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history, (key, value) => (key === "node" ? undefined : value)));
  }

  function remember(item) {
    item.at = item.at || Date.now();
    history.push(item);
    while (history.length > MAX_HISTORY) history.shift();
    save();
    render(item);
    if (item.from === "bot" || item.kind === "system" || item.kind === "rating") noticeWhileClosed();
  }

  function rerender(item) {
    const old = item.node;
    render(item);
    if (old && old.parentNode) { old.replaceWith(item.node); }
    save();
  }

  // Quick replies and order cards only make sense until the customer answers.
  const PENDING_CLASS = { buttons: ".cdw-quick", orders: ".cdw-orders" };
  function dropPending(kind) {
    for (let i = history.length - 1; i >= 0; i--) if (history[i].kind === kind) history.splice(i, 1);
    save();
    messages.querySelectorAll(PENDING_CLASS[kind]).forEach((node) => node.remove());
  }
  const dropPendingButtons = () => dropPending("buttons");
  const dropPendingOrders = () => dropPending("orders");

  function setTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    scrollDown();
  }

  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // ---------------------------------------------------------------- unread while closed

  function noticeWhileClosed() {
    if (!panel.hidden) return;
    unread += 1;
    badge.textContent = String(unread);
    badge.hidden = false;
    bubble.setAttribute("aria-label", `${title}，${unread} 条新消息`);
    if (!titleTimer) {
      let flip = false;
      titleTimer = setInterval(() => { flip = !flip; document.title = flip ? `${t("message_state.unread_title", { count: unread })}${pageTitle}` : pageTitle; }, 1000);
    }
    if (soundOn) beep();
  }

  function clearUnread() {
    unread = 0;
    badge.hidden = true;
    bubble.setAttribute("aria-label", title);
    clearInterval(titleTimer);
    titleTimer = null;
    document.title = pageTitle;
  }

  function beep() {
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch (e) { /* no sound on this device */ }
  }

  // ---------------------------------------------------------------- socket.io

  function emit(item) {
    const data = { message: item.payload || item.text, session_id: sessionId, id: item.id };
    if (item.payload) data.shown = item.text;  // the words on the button, kept in the server's record
    socket.emit("user_uttered", data);
    clearTimeout(receiptTimers.get(item.id));
    receiptTimers.set(item.id, setTimeout(() => markFailed(item.id), RECEIPT_TIMEOUT_MS));
    setTyping(true);
  }

  function findMessage(id) { return history.find((item) => item.id === id); }

  function markSent(id) {
    clearTimeout(receiptTimers.get(id));
    receiptTimers.delete(id);
    const item = findMessage(id);
    if (item && item.state !== "sent") { item.state = "sent"; rerender(item); }
  }

  function markFailed(id) {
    receiptTimers.delete(id);
    const item = findMessage(id);
    if (item && item.state === "sending") { item.state = "failed"; rerender(item); setTyping(false); }
  }

  function retry(item) {
    item.state = "sending";
    rerender(item);
    if (socket && socket.connected && sessionId) emit(item);
    else setStatus("网络连接中断，消息会在重新连接后发送…");
  }

  function sendMessage(payload, shown) {
    const text = (shown || payload).trim();
    if (!text) return;
    dropPendingButtons();
    const item = { kind: "text", from: "user", text, id: newId(), state: "sending" };
    if (payload.trim() !== text) item.payload = payload;
    remember(item);
    if (!socket || !socket.connected || !sessionId) {
      setStatus("网络连接中断，消息会在重新连接后发送…");
      return;  // sent by resendPending() once the session is confirmed
    }
    emit(item);
  }

  function resendPending() {
    for (const item of history) if (item.from === "user" && item.state === "sending" && !receiptTimers.has(item.id)) emit(item);
  }

  function onBotMessage(message) {
    setTyping(false);
    if (message.error && message.id) {  // refused by the channel: that message was not sent
      const item = findMessage(message.id);
      clearTimeout(receiptTimers.get(message.id));
      if (item) { item.state = "failed"; rerender(item); }
    }
    if (message.system) remember({ kind: "system", text: String(message.system) });
    if (message.rating_request) askForStars(message.rating_request);
    if (message.system || message.rating_request) { refreshStatus(); return; }
    if (message.text) {
      remember(message.agent_name
        ? { kind: "text", from: "bot", text: message.text, agent: String(message.agent_name) }
        : { kind: "text", from: "bot", text: message.text });
    }
    const buttons = message.quick_replies || message.buttons || [];
    if (buttons.length) remember({ kind: "buttons", buttons: buttons.map((b) => ({ title: b.title, payload: b.payload })) });
    if (message.attachment && message.attachment.payload && message.attachment.payload.src) {
      remember({ kind: "text", from: "bot", text: message.attachment.payload.src });
    }
    refreshStatus();
  }

  async function connect() {
    if (socket) return;
    await loadScript(`${base}/socket.io.min.js`);
    socket = window.io(server, { path: "/socket.io", transports: ["polling"], upgrade: false, reconnectionDelayMax: 5000 });
    socket.on("connect", () => {
      // On every (re)connect: rejoin the same conversation room.
      socket.emit("session_request", shopper ? { session_id: sessionId, shopper } : { session_id: sessionId });
    });
    socket.on("session_confirm", (id) => {
      sessionId = typeof id === "string" ? id : (id && id.session_id) || sessionId;
      localStorage.setItem(SESSION_KEY, sessionId);
      root.dataset.session = sessionId;
      setStatus("");
      loadServerHistory().then(() => { resendPending(); refreshStatus(); });
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("message_received", (data) => data && markSent(data.id));
    socket.on("disconnect", () => { setTyping(false); setStatus("连接已断开，正在重新连接…"); });
    socket.io.on("reconnect_attempt", () => setStatus("连接已断开，正在重新连接…"));
    socket.on("connect_error", () => setStatus("暂时连不上客服，正在重试…"));
  }

  // ---------------------------------------------------------------- service hours and the queue

  async function refreshStatus() {
    clearTimeout(queueTimer);
    let state;
    try {
      const reply = await fetch(`${base}/status?session_id=${encodeURIComponent(sessionId || "")}`);
      state = await reply.json();
    } catch (e) { return; }
    const service = state.service || {};
    hoursBanner.hidden = service.open_now !== false;
    hoursBanner.textContent = service.banner || "";
    root.dataset.serviceOpen = String(service.open_now !== false);
    const queue = state.queue || {};
    root.dataset.queue = queue.state || "none";
    const waiting = queue.state === "waiting";
    queueCard.hidden = !waiting;
    humanButton.disabled = waiting || queue.state === "with_agent";
    if (waiting) {
      queueText.textContent = queue.text || "";
      queueNext.textContent = queue.next_step || "";
      queueCancel.hidden = !queue.can_cancel;
      queueCard.dataset.position = String(queue.position || "");
      queueTimer = setTimeout(refreshStatus, QUEUE_POLL_MS);
    }
  }

  async function cancelWait() {
    queueCancel.disabled = true;
    try {
      const reply = await postJson("handoff/cancel", { session_id: sessionId });
      const result = await reply.json().catch(() => ({}));
      remember({ kind: "text", from: reply.ok ? "bot" : "notice", text: result.message || "取消失败，请稍后再试。" });
    } catch (e) {
      remember({ kind: "text", from: "notice", text: "取消失败，请检查网络后再试。" });
    } finally {
      queueCancel.disabled = false;
      refreshStatus();
      input.focus();
    }
  }

  // ---------------------------------------------------------------- 留言

  function showLeaveForm(on) {
    leaveForm.hidden = !on;
    form.hidden = on;
    messages.hidden = on;
    leaveError.textContent = "";
    (on ? leaveText : input).focus();
  }

  async function leaveMessage(event) {
    event.preventDefault();
    if (!sessionId) { leaveError.textContent = "聊天窗口还没连上，请稍后再试。"; return; }
    const body = new FormData();
    body.append("session_id", sessionId);
    body.append("text", leaveText.value);
    body.append("contact", leaveContact.value);
    for (const file of leavePhotos.files || []) body.append("photo", file, file.name);
    leaveSubmit.disabled = true;
    try {
      const reply = await fetch(`${base}/leave-message`, { method: "POST", body });
      const result = await reply.json().catch(() => ({}));
      if (!reply.ok) { leaveError.textContent = result.message || "留言没有提交成功，请稍后再试。"; leaveText.focus(); return; }
      remember({ kind: "text", from: "user", text: leaveText.value.trim(), state: "sent", id: newId() });
      remember({ kind: "text", from: "bot", text: result.message });
      leaveText.value = ""; leaveContact.value = ""; leavePhotos.value = "";
      showLeaveForm(false);
      refreshStatus();
    } catch (e) {
      leaveError.textContent = "留言没有提交成功，请检查网络后再试。";
    } finally {
      leaveSubmit.disabled = false;
    }
  }

  // ---------------------------------------------------------------- stars

  function askForStars(request) {
    if (request.about === "ticket") dropPendingButtons();  // the stars answer the bot's yes / no question
    remember({ kind: "rating", about: request.about, question: String(request.question || ""), id: newId() });
  }

  async function rate(item, stars, comment, error) {
    if (!stars) return;
    try {
      const reply = await postJson("rating", { session_id: sessionId, about: item.about, stars, comment });
      const result = await reply.json().catch(() => ({}));
      if (!reply.ok) { error.textContent = result.message || "评价没有提交成功，请稍后再试。"; return; }
      item.done = stars;
      rerender(item);
      if (item.about === "ticket") sendMessage(stars >= 4 ? "/affirm" : "/deny", `${"★".repeat(stars)} ${starLabels[stars] || ""}`);
      else remember({ kind: "text", from: "bot", text: result.message });
      input.focus();
    } catch (e) {
      error.textContent = "评价没有提交成功，请检查网络后再试。";
    }
  }

  // ---------------------------------------------------------------- photo evidence

  async function upload(file) {
    if (!uploadConfig.allowed_types.includes(file.type)) {
      remember({ kind: "text", from: "notice", text: "只支持 JPG、PNG、WebP 格式的照片。" });
      return;
    }
    if (file.size > uploadConfig.max_bytes) {
      remember({ kind: "text", from: "notice", text: `照片太大了，请上传 ${Math.round(uploadConfig.max_bytes / 1048576)} MB 以内的图片。` });
      return;
    }
    if (!sessionId) {
      remember({ kind: "text", from: "notice", text: "请先发一条消息，再上传照片。" });
      return;
    }
    const body = new FormData();
    body.append("session_id", sessionId);
    body.append("photo", file, file.name);
    try {
      const reply = await fetch(`${base}/evidence`, { method: "POST", body });
      const result = await reply.json().catch(() => ({}));
      if (!reply.ok) {
        remember({ kind: "text", from: "notice", text: result.message || "上传失败，请稍后再试。" });
        return;
      }
      remember({ kind: "photo", text: file.name });
      remember({ kind: "text", from: "notice", text: result.message });
      sendMessage(result.customer_note || uploadConfig.customer_note);
    } catch (e) {
      remember({ kind: "text", from: "notice", text: "上传失败，请检查网络后再试。" });
    }
  }

  // ---------------------------------------------------------------- phones: keep the input above the keyboard

  function fitToViewport() {
    const view = window.visualViewport;
    if (!view || window.innerWidth > 480) { panel.style.removeProperty("--cdw-height"); return; }
    panel.style.setProperty("--cdw-height", `${view.height}px`);
    panel.style.setProperty("--cdw-top", `${view.offsetTop}px`);
  }

  // ---------------------------------------------------------------- wiring

  function open() {
    panel.hidden = false;
    bubble.hidden = true;
    root.classList.add("cdw-open");
    localStorage.setItem(OPEN_KEY, "1");
    clearUnread();
    configLoaded.then(() => {  // the greeting as knowledge/widget.yml words it
      if (!history.length) {
        remember({ kind: "text", from: "bot", text: shopper ? t("shopper.greeting", { name: shopper.name }) : t("header.greeting") });
      }
    });
    fitToViewport();
    input.focus();
    scrollDown();
    connect().catch(() => setStatus("客服系统暂时无法连接，请稍后刷新页面。"));
  }

  function hide() {
    panel.hidden = true;
    bubble.hidden = false;
    root.classList.remove("cdw-open");
    localStorage.removeItem(OPEN_KEY);
    bubble.focus();
  }

  bubble.addEventListener("click", open);
  close.addEventListener("click", hide);
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") hide(); });
  humanButton.addEventListener("click", () => sendMessage(HUMAN_PAYLOAD, t("header.human_button")));
  leaveButton.addEventListener("click", () => showLeaveForm(leaveForm.hidden));
  leaveBack.addEventListener("click", () => showLeaveForm(false));
  leaveForm.addEventListener("submit", leaveMessage);
  queueCancel.addEventListener("click", cancelWait);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    sendMessage(text);
  });
  attach.addEventListener("click", () => fileInput.click());
  if (ordersButton) ordersButton.addEventListener("click", showOrders);
  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (file) upload(file);
  });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitToViewport);
    window.visualViewport.addEventListener("scroll", fitToViewport);
  }

  // Messages still "sending" from before a reload are offered for a retry rather than lost or sent twice.
  for (const item of history) if (item.from === "user" && item.state === "sending") item.state = "failed";
  history.forEach(render);
  applyWording();
  const configLoaded = fetch(`${base}/config`).then((r) => r.json()).then((c) => {
    uploadConfig = c;
    if (c.widget) {
      texts = Object.assign({}, texts, c.widget.texts || {});
      starLabels = Object.assign({}, starLabels, c.widget.stars || {});
      applyWording();
    }
  }).catch(() => {});
  if (localStorage.getItem(OPEN_KEY)) open();
})();
