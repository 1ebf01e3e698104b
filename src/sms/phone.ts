/**
 * Mobile number rules (reference §1.1, Altinn's MobileNumberHelper), pure: a number starts with `+`
 * or `00` (not `++`), `00` counts as `+`, and libphonenumber (full metadata) must call it valid.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/** The E.164 form of a valid number, else null. */
export function e164(input: string): string | null {
  if (!input || !(input.startsWith("+") || input.startsWith("00")) || input.startsWith("++")) return null;
  const text = input.startsWith("00") ? `+${input.slice(2)}` : input;
  try {
    const parsed = parsePhoneNumberFromString(text);
    return parsed?.isValid() ? parsed.number : null;
  } catch {
    return null;
  }
}

export function isValidMobileNumber(input: string): boolean {
  return e164(input) !== null;
}

/**
 * Numbers from the contact register (Altinn's EnsureCountryCodeIfValidNumber): `00…` → `+…`, eight
 * digits starting with 4 or 9 → `+47…`, others unchanged; then re-validated (null when invalid).
 */
export function registryNumber(raw: string | null | undefined): string | null {
  const s = (raw ?? "").trim();
  if (!s) return null;
  let n = s;
  if (n.startsWith("00")) n = `+${n.slice(2)}`;
  else if (/^[49]\d{7}$/.test(n)) n = `+47${n}`;
  return isValidMobileNumber(n) ? n : null;
}
