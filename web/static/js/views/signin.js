// Sign-in: paste a bearer token (the organizer prints one with `walkthrough token <user>`).

import { AuthError, NetworkError, request, setToken, clearToken } from "../api.js";
import { h, replace } from "../dom.js";

export function renderSignIn(root, { reason, pending, onSignedIn, setTitle }) {
  setTitle("Sign in");
  const input = h("input", { id: "token", name: "token", type: "password", required: true,
    autocomplete: "off", autocapitalize: "off", spellcheck: "false", testid: "token-input",
    "aria-describedby": "token-hint" });
  const error = h("p", { class: "error", role: "alert", testid: "signin-error", hidden: true });
  const button = h("button", { type: "submit", class: "primary", testid: "sign-in" }, "Sign in");
  const form = h("form", { class: "card signin", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: "token" }, "Access token"),
      input,
      h("p", { class: "hint", id: "token-hint" },
        "Paste the token your program organizer gave you. It stays on this device.")),
    error,
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      error.hidden = false;
      error.textContent = "Paste your access token first.";
      input.focus();
      return;
    }
    button.disabled = true;
    error.hidden = true;
    setToken(token);
    try {
      const { data } = await request("GET", "/api/me");
      await onSignedIn(data);
    } catch (failure) {
      if (failure instanceof AuthError) {
        clearToken();
        error.textContent = failure.code === "token_expired"
          ? "This token has expired. Ask for a new one."
          : "This token was not accepted. Check that it was pasted completely.";
      } else if (failure instanceof NetworkError) {
        error.textContent = "The server cannot be reached right now. Try again when the network is back.";
        clearToken();
      } else {
        clearToken();
        error.textContent = `Sign-in failed: ${failure.message || failure}`;
      }
      error.hidden = false;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(root,
    h("h1", { tabindex: "-1" }, "Sign in"),
    reason ? h("p", { class: "notice", role: "status", testid: "signin-reason" }, reason) : null,
    pending ? h("p", { class: "notice", testid: "signin-pending" },
      `${pending} recorded ${pending === 1 ? "event is" : "events are"} kept on this tablet and will be sent after you sign in.`) : null,
    form);
  input.focus();
}
