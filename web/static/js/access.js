// What the signed-in person may do: GET /api/me answers it (`can`, from the server's one
// access module, walkthrough.access), so views ask for a capability, never a role name.
// The server decides again on every request; this only chooses what a screen shows.

export function can(me, capability) {
  return ((me && me.can) || []).includes(capability);
}
