// What the signed-in person may do: GET /api/me answers it (`can`, from the server's one
// access module, walkthrough.access), so views ask for a capability, never a role name.
// The server decides again on every request; this only chooses what a screen shows.

import { CAPABILITIES } from "./generated/schema.js";

export function can(me, capability) {
  // A capability the server does not know is a typo in a view: fail where it is asked.
  if (!CAPABILITIES.includes(capability)) throw new Error(`no capability "${capability}"`);
  return ((me && me.can) || []).includes(capability);
}
