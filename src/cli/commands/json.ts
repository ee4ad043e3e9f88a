/**
 * JSON for scripts: valid JSON for any record (JSON.stringify already escapes C0 controls and
 * lone surrogates), and also safe to land on a terminal: DEL, C1 controls, bidi overrides,
 * line separators and zero-width characters become \u escapes too. Still the same JSON value.
 */

// Outside strings JSON.stringify emits only ASCII, so every match is inside a string.
const TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const escapeUnit = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One line of JSON (no newline) that no terminal will interpret. */
export function safeJson(value: unknown): string {
  const json = JSON.stringify(value);
  TERMINAL_UNSAFE.lastIndex = 0;
  return TERMINAL_UNSAFE.test(json) ? json.replace(TERMINAL_UNSAFE, escapeUnit) : json;
}
