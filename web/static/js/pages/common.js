// Shared by the report pages: the token check and JSON reads with clear errors.

import { AuthError, getToken, request } from "../api.js";
import { h, replace } from "../dom.js";

export const main = document.getElementById("main");

export function signInFirst() {
  replace(main, h("h1", {}, "Sign in first"),
    h("p", {}, "This page reads your data with the sign-in of the Walkthrough app. ",
      h("a", { href: "/" }, "Open the app and sign in"), ", then come back."));
}

export async function load(render) {
  if (!getToken()) return signInFirst();
  try {
    await render();
  } catch (error) {
    if (error instanceof AuthError) return signInFirst();
    replace(main, h("h1", {}, "This page is not available"),
      h("p", { class: "error", role: "alert" }, error.message || String(error)));
  }
  return undefined;
}

export async function getData(path) {
  const { data } = await request("GET", path);
  return data;
}
