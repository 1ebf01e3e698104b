/**
 * The one e-mail address grammar (orders, the contact register, the SMTP envelope). Pragmatic, not
 * RFC 5322: one `@`, a dotted domain, no whitespace, control characters, quotes, brackets or separators,
 * so an accepted address can never break an SMTP command or a header. At most 254 characters.
 */
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function isValidEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s) && !s.includes("..") && !hasControlCharacter(s);
}
