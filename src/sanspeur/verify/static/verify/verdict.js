// What the clerk is shown for a verification result (mtl1.js gives the reason; this decides the
// verdict, the advice and whether the check counts). A technical failure is never "not valid":
// a bad scan, an empty box or a device without fresh lists must not look like a forged card.

export const VALID = "valid";
export const NOT_VALID = "not_valid";
// Nothing that could be checked was read: an empty box, text or a QR code that is not a card
// code. Says nothing about the card or the person; not counted as a card checked.
export const UNREADABLE = "unreadable";
// A card code was read but this device cannot finish the check (no trusted keys yet, or card
// statuses too old): a problem of the device, not of the card.
export const CANNOT_CONFIRM = "cannot_confirm";

// The result shown for an empty box, without running the verification at all.
export const EMPTY_RESULT = Object.freeze({ valid: false, reason: "malformed", detail: "empty", warnings: [], claims: null, photo: null });

export function isEmpty(code) {
  return typeof code !== "string" || code.trim() === "";
}

export function outcome(result) {
  if (!result || typeof result !== "object") return UNREADABLE;
  if (result.valid === true) return VALID;
  if (result.reason === "malformed") return UNREADABLE;
  if (result.reason === "status_list_stale") return CANNOT_CONFIRM;
  if (result.reason === "unknown_issuer" && result.detail === "no_trust_list") return CANNOT_CONFIRM;
  return NOT_VALID;
}

// Only a code that was read counts as a card checked.
export function counted(kind) {
  return kind !== UNREADABLE;
}

// Interface string keys (verify/strings.py) for a result: verdict, reason, what to do.
export function texts(result) {
  const kind = outcome(result);
  if (kind === UNREADABLE) return { kind, verdict: "unreadable", reason: "reason_unreadable", advice: "what_to_do_unreadable" };
  if (kind === CANNOT_CONFIRM) {
    const reason = result.reason === "unknown_issuer" ? "reason_no_trust_list" : "reason_status_list_stale";
    return { kind, verdict: "cannot_confirm", reason, advice: "what_to_do_cannot_confirm" };
  }
  if (kind === VALID) return { kind, verdict: "valid", reason: "reason_valid", advice: "what_to_do_valid" };
  return { kind, verdict: "not_valid", reason: `reason_${result.reason}`, advice: `what_to_do_${result.reason}` };
}
