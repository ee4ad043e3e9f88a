/**
 * Every string in a record comes from an untrusted client. Before any of it reaches a terminal
 * it passes through `escapeForTerminal`: control characters become visible escapes, so no byte
 * of a record can move the cursor, change the title, write the clipboard or reorder text.
 * Pure; used by the TUI and the text output of the CLI alike.
 */

// C0 (incl. TAB/LF/CR), DEL, C1, bidi embeddings/overrides/isolates and marks, line and
// paragraph separators, zero-width characters and BOM, the Arabic letter mark, and lone
// UTF-16 surrogates (which JSON can carry and a terminal would show as garbage).
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Default cap on characters of any one string shown; a 1 MB argv must not stall a render. */
export const DEFAULT_MAX_CHARS = 4096;

/**
 * Returns `s` with every unsafe character replaced by a visible escape (`\e`, `\x9b`,
 * `\u202e`, …) and cut to `maxChars` characters with a count of what was left out.
 */
export function escapeForTerminal(s: string, maxChars = DEFAULT_MAX_CHARS): string {
  let input = s;
  let cut = 0;
  if (input.length > maxChars) {
    cut = input.length - maxChars;
    input = input.slice(0, maxChars);
  }
  UNSAFE.lastIndex = 0;
  const escaped = UNSAFE.test(input) ? input.replace(UNSAFE, escapeChar) : input;
  return cut > 0 ? `${escaped}…[+${cut} chars]` : escaped;
}

/** True when `s` would be changed by escaping (for highlighting suspicious fields). */
export function hasUnsafeCharacters(s: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s);
}

/**
 * Shell-like display of one argv, so `rm -rf "/ tmp"` is not read as three words: words with
 * spaces or shell syntax are single-quoted, and words with control characters are shown in
 * bash's `$'…'` form (`printf $'\e[31m'`), which is both visible and exactly what ran.
 */
export function formatArgv(argv: readonly string[], maxChars = DEFAULT_MAX_CHARS): string {
  const words = argv.map((word) => {
    // A 1 MB argument must not cost a 1 MB escape on every render: cut before escaping.
    const a = word.length > maxChars ? word.slice(0, maxChars) : word;
    if (hasUnsafeCharacters(a)) return `$'${escapeForTerminal(a.replace(/[\\']/g, '\\$&'), Number.POSITIVE_INFINITY)}'`;
    if (a === '' || /[\s'"\\$`|&;<>(){}*?[\]#~]/.test(a)) return `'${a.replace(/'/g, `'\\''`)}'`;
    return a;
  });
  return escapeForTerminal(words.join(' '), maxChars);
}

/** A pipeline as an operator typed it: stages joined with ` | `. */
export function formatPipeline(pipeline: readonly (readonly string[])[], maxChars = DEFAULT_MAX_CHARS): string {
  return pipeline.map((stage) => formatArgv(stage, maxChars)).join(' | ');
}
