/* 投诉助手 storefront chat widget.
 *
 * Embed on any shop page:
 *   <script src="https://<rasa-server>/webhooks/storefront/widget.js" defer></script>
 * Optional attributes: data-server="https://<rasa-server>" (defaults to where this file came from),
 * data-title="在线客服".
 *
 * Talks to Rasa's socket.io channel (events user_uttered / bot_uttered, session persistence):
 * the session id and the message history live in localStorage, so a reload continues the same
 * conversation. All message text is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";
  const script = document.currentScript;
  const server = (script && script.dataset.server) || (script ? new URL(script.src).origin : window.location.origin);
  const base = `${server}/webhooks/storefront`;
  const title = (script && script.dataset.title) || "在线客服";
  const SESSION_KEY = "complaint_desk_session";
  const HISTORY_KEY = "complaint_desk_history";
  const OPEN_KEY = "complaint_desk_open";
  const MAX_HISTORY = 200;
  const TYPING_TIMEOUT_MS = 20000;

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
  let uploadConfig = { max_bytes: 5 * 1024 * 1024, allowed_types: ["image/jpeg", "image/png", "image/webp"], customer_note: "我上传了照片凭证。" };

  // ---------------------------------------------------------------- DOM

  document.head.append(el("link", { rel: "stylesheet", href: `${base}/widget.css` }));
  const messages = el("ol", { class: "cdw-messages", "data-testid": "widget-messages", "aria-live": "polite" });
  const typing = el("div", { class: "cdw-typing", "data-testid": "widget-typing", hidden: "" }, "客服正在输入", el("span", { class: "cdw-dots" }, "…"));
  const status = el("div", { class: "cdw-status", "data-testid": "widget-status", role: "status", hidden: "" });
  const input = el("input", { class: "cdw-input", type: "text", placeholder: "请描述您遇到的问题…", maxlength: "1000", "data-testid": "widget-input", "aria-label": "输入消息" });
  const fileInput = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", hidden: "", "data-testid": "widget-file" });
  const attach = el("button", { class: "cdw-attach", type: "button", title: "上传照片凭证", "aria-label": "上传照片凭证", "data-testid": "widget-attach" }, "传图");
  const send = el("button", { class: "cdw-send", type: "submit", "data-testid": "widget-send" }, "发送");
  const form = el("form", { class: "cdw-form" }, attach, fileInput, input, send);
  const close = el("button", { class: "cdw-close", type: "button", "aria-label": "关闭" }, "×");
  const panel = el("section", { class: "cdw-panel", "data-testid": "widget-panel", hidden: "", "aria-label": title },
    el("header", { class: "cdw-header" }, el("span", {}, title), close), status, messages, typing, form);
  const bubble = el("button", { class: "cdw-bubble", type: "button", "data-testid": "widget-bubble", "aria-label": title }, title);
  const root = el("div", { class: "cdw-root" }, panel, bubble);
  document.body.append(root);

  function scrollDown() { messages.scrollTop = messages.scrollHeight; }

  function render(item) {
    if (item.kind === "buttons") {
      const row = el("li", { class: "cdw-quick", "data-testid": "widget-quick-replies" });
      for (const button of item.buttons) {
        row.append(el("button", {
          type: "button", class: "cdw-quick-button", "data-testid": "widget-quick-reply",
          onclick: () => { row.remove(); dropPendingButtons(); sendMessage(button.payload, button.title); },
        }, button.title));
      }
      messages.append(row);
    } else if (item.kind === "system") {
      // Who is talking: a person joined or left. Not a message, a line across the conversation.
      messages.append(el("li", { class: "cdw-system", "data-testid": "widget-msg-system", role: "note" }, item.text));
    } else if (item.agent) {
      messages.append(el("li", { class: "cdw-msg cdw-bot cdw-agent", "data-testid": "widget-msg-bot" },
        el("span", { class: "cdw-from", "data-testid": "widget-msg-from" }, `人工客服 ${item.agent}`), item.text));
    } else if (item.kind === "photo") {
      messages.append(el("li", { class: "cdw-msg cdw-user cdw-photo", "data-testid": "widget-photo" }, `[照片] ${item.text}`));
    } else {
      messages.append(el("li", { class: `cdw-msg cdw-${item.from}`, "data-testid": `widget-msg-${item.from}` }, item.text));
    }
    scrollDown();
  }

  function remember(item) {
    history.push(item);
    while (history.length > MAX_HISTORY) history.shift();
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
    render(item);
  }

  function dropPendingButtons() {
    // Quick replies only make sense until the customer answers.
    for (let i = history.length - 1; i >= 0; i--) if (history[i].kind === "buttons") history.splice(i, 1);
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
    messages.querySelectorAll(".cdw-quick").forEach((node) => node.remove());
  }

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

  // ---------------------------------------------------------------- socket.io

  function sendMessage(payload, shown) {
    const text = (shown || payload).trim();
    if (!text) return;
    dropPendingButtons();
    remember({ kind: "text", from: "user", text });
    if (!socket || !socket.connected || !sessionId) {
      setStatus("网络连接中断，消息会在重新连接后发送…");
      socket && socket.once("session_confirm", () => socket.emit("user_uttered", { message: payload, session_id: sessionId }));
      return;
    }
    socket.emit("user_uttered", { message: payload, session_id: sessionId });
    setTyping(true);
  }

  function onBotMessage(message) {
    setTyping(false);
    if (message.system) { remember({ kind: "system", text: String(message.system) }); return; }
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
  }

  async function connect() {
    if (socket) return;
    await loadScript(`${base}/socket.io.min.js`);
    socket = window.io(server, { path: "/socket.io", transports: ["polling"], upgrade: false, reconnectionDelayMax: 5000 });
    socket.on("connect", () => {
      // On every (re)connect: rejoin the same conversation room.
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", (id) => {
      sessionId = typeof id === "string" ? id : (id && id.session_id) || sessionId;
      localStorage.setItem(SESSION_KEY, sessionId);
      root.dataset.session = sessionId;
      setStatus("");
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", () => { setTyping(false); setStatus("连接已断开，正在重新连接…"); });
    socket.io.on("reconnect_attempt", () => setStatus("连接已断开，正在重新连接…"));
    socket.on("connect_error", () => setStatus("暂时连不上客服，正在重试…"));
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

  // ---------------------------------------------------------------- wiring

  function open() {
    panel.hidden = false;
    bubble.hidden = true;
    localStorage.setItem(OPEN_KEY, "1");
    if (!history.length) remember({ kind: "text", from: "bot", text: "您好，这里是在线客服。遇到什么问题都可以跟我说。" });
    input.focus();
    connect().catch(() => setStatus("客服系统暂时无法连接，请稍后刷新页面。"));
  }

  bubble.addEventListener("click", open);
  close.addEventListener("click", () => { panel.hidden = true; bubble.hidden = false; localStorage.removeItem(OPEN_KEY); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    sendMessage(text);
  });
  attach.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (file) upload(file);
  });

  history.forEach(render);
  fetch(`${base}/config`).then((r) => r.json()).then((c) => { uploadConfig = c; }).catch(() => {});
  if (localStorage.getItem(OPEN_KEY)) open();
})();
