"use strict";
// Posts the agent's own username and password; the server answers with an HttpOnly session cookie.
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.hidden = true;
  try {
    const reply = await fetch("login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        username: document.getElementById("username").value,
        password: document.getElementById("password").value,
      }),
    });
    if (reply.ok) {
      window.location.href = "console";
      return;
    }
    const body = await reply.json().catch(() => ({}));
    error.textContent = body.message || "登录失败，请检查用户名和密码。";
  } catch (e) {
    error.textContent = "无法连接服务器，请稍后再试。";
  }
  error.hidden = false;
});
