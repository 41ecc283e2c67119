// Sign-in: with the district's own account (OpenID Connect, when the district set it
// up: the server checks the account and hands back a one-time link), a link asked for
// by email, a one-time link (`walkthrough link <user>` or an organizer's "Make a sign-in
// link"), or a pasted bearer token (`walkthrough token <user>`) as the fallback. Every
// way ends with the app's own device token, so the tablet works offline the same.

import { AuthError, NetworkError, getJson, getToken, redeemSignInLink, request, setToken, clearToken } from "../api.js";
import { h, replace } from "../dom.js";

function tokenForm(onSignedIn) {
  const input = h("input", { id: "token", name: "token", type: "password", required: true,
    autocomplete: "off", autocapitalize: "off", spellcheck: "false", testid: "token-input",
    "aria-describedby": "token-hint" });
  const error = h("p", { class: "error", role: "alert", testid: "signin-error", hidden: true });
  const button = h("button", { type: "submit", class: "primary", testid: "sign-in" }, "Sign in");
  const form = h("form", { class: "card signin", novalidate: true, testid: "token-form" },
    h("div", { class: "field" },
      h("label", { for: "token" }, "Access token"),
      input,
      h("p", { class: "hint", id: "token-hint" },
        "No link? Paste the access token your program organizer gave you. It stays on this device.")),
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
  return { form, input };
}

/** Why a link did not sign this device in, in words for the person holding it. */
function linkRefusal(failure) {
  if (failure instanceof NetworkError) {
    return "The server cannot be reached right now. Open the link again when the network is back.";
  }
  // The server's messages say what happened and what to do (expired, already used,
  // made for another address, too many tries).
  return failure.message || "This sign-in link was not accepted; ask for a new one.";
}

async function signInWithLink(code, { status, form, input, onSignedIn }) {
  const previous = getToken();  // a failed link leaves whoever was signed in signed in
  try {
    const { data } = await redeemSignInLink(code);
    setToken(data.token);
    const { data: me } = await request("GET", "/api/me");
    await onSignedIn(me);
  } catch (failure) {
    if (previous) setToken(previous); else clearToken();
    status.replaceWith(h("p", { class: "error", role: "alert", testid: "signin-link-error" },
      linkRefusal(failure)));
    form.hidden = false;
    input.focus();
  }
}

/** "Email me a sign-in link": the server answers the same whether or not it knows the
 *  address, so the words here do too. */
function emailForm() {
  const input = h("input", { id: "signin-email", name: "email", type: "email", required: true,
    autocomplete: "email", autocapitalize: "off", spellcheck: "false", testid: "signin-email-input" });
  const status = h("p", { role: "status", testid: "signin-email-status", hidden: true });
  const button = h("button", { type: "submit", class: "secondary", testid: "signin-email-send" },
    "Email me a sign-in link");
  const form = h("form", { class: "card signin", novalidate: true, testid: "signin-email-form" },
    h("div", { class: "field" },
      h("label", { for: "signin-email" }, "Your email address at school"),
      input),
    status,
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = input.value.trim();
    status.hidden = false;
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      status.className = "error";
      status.textContent = "Type the email address your district knows you by.";
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const { data } = await request("POST", "/api/signin/email", { email }, { auth: false });
      status.className = "notice";
      status.textContent = data.message;
    } catch (failure) {
      status.className = "error";
      status.textContent = failure instanceof NetworkError
        ? "The server cannot be reached right now. Try again when the network is back."
        : failure.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The other ways in that this district offers (nothing when the server is out of reach). */
async function otherWays(slot) {
  let options;
  try {
    ({ data: options } = await request("GET", "/api/signin/options", undefined, { auth: false }));
  } catch {
    return;
  }
  const parts = [];
  if (options.oidc) {
    // A whole-page visit: the provider's pages, then back to /signin#code=...
    parts.push(h("p", {}, h("a", { href: options.oidc.url, class: "button-link primary", testid: "oidc-signin" },
      `Sign in with ${options.oidc.name}`)));
  }
  if (options.email) parts.push(emailForm());
  replace(slot, ...parts);
}

/**
 * A link opened on a tablet someone is signed in on: say who is signed in and ask before
 * the link signs the tablet in as the person it was made for (the link is not used
 * until then, so "stay" leaves it working for its own tablet).
 */
async function confirmSwitch(status, { onKeep, onSwitch }) {
  let name = null;
  try {
    const { data } = await getJson("/api/me");
    name = data && data.user ? data.user.name : null;
  } catch {
    name = null;  // a token no longer valid: the link is the way back in anyway
  }
  const who = name ? `as ${name}` : "as someone";
  const question = h("div", { class: "card notice", role: "alertdialog", testid: "switch-user-question",
    "aria-labelledby": "switch-user-text" },
    h("p", { id: "switch-user-text" },
      `This tablet is signed in ${who}. This sign-in link signs it in as the person it was made for, `
      + "and their visits and records replace what is on the screen."),
    h("div", { class: "field-row" },
      h("button", { type: "button", class: "primary", testid: "switch-user" }, "Sign in with the link"),
      h("button", { type: "button", testid: "keep-user" }, `Stay signed in ${who}`)));
  status.replaceWith(question);
  question.querySelector("[data-testid=switch-user]").addEventListener("click", () => {
    question.replaceWith(status);
    onSwitch();
  });
  question.querySelector("[data-testid=keep-user]").addEventListener("click", () => onKeep());
  question.querySelector("[data-testid=switch-user]").focus();
}

export function renderSignIn(root, { reason, pending, onSignedIn, setTitle, linkCode = null, onKeep = () => {} }) {
  setTitle("Sign in");
  const { form, input } = tokenForm(onSignedIn);
  const ways = h("div", { class: "signin-ways", testid: "signin-ways" });
  const status = linkCode
    ? h("p", { class: "notice", role: "status", testid: "signin-link-status" }, "Signing you in with your link…")
    : null;
  replace(root,
    h("h1", { tabindex: "-1" }, "Sign in"),
    reason ? h("p", { class: "notice", role: "status", testid: "signin-reason" }, reason) : null,
    status,
    linkCode ? null : h("p", { testid: "signin-how" },
      "Open the sign-in link your program organizer gave you, or scan its QR code with this tablet's camera."),
    pending ? h("p", { class: "notice", testid: "signin-pending" },
      `${pending} recorded ${pending === 1 ? "event is" : "events are"} kept on this tablet for the person who `
      + "recorded them: they are sent when that person signs in here again, never as anyone else.") : null,
    ways,
    form);
  if (!linkCode) otherWays(ways);
  if (linkCode && getToken()) {
    form.hidden = true;
    confirmSwitch(status, { onKeep, onSwitch: () => signInWithLink(linkCode, { status, form, input, onSignedIn }) });
  } else if (linkCode) {
    form.hidden = true;
    signInWithLink(linkCode, { status, form, input, onSignedIn });
  } else {
    input.focus();
  }
}
