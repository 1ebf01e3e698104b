/** `Name: message` of a thrown error (anything else as a string), for logs and stored failure texts. */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
