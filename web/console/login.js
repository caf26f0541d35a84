"use strict";
// Posts the token to the login route; the server answers with an HttpOnly session cookie.
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.hidden = true;
  try {
    const reply = await fetch("login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: document.getElementById("token").value }),
    });
    if (reply.ok) {
      window.location.href = "console";
      return;
    }
    const body = await reply.json().catch(() => ({}));
    error.textContent = body.message || "登录失败，请检查令牌。";
  } catch (e) {
    error.textContent = "无法连接服务器，请稍后再试。";
  }
  error.hidden = false;
});
