/**
 * Every string in a record comes from an untrusted client. Before any of it reaches a terminal
 * it passes through `escapeForTerminal`: control characters become visible escapes, so no byte
 * of a record can move the cursor, change the title, write the clipboard or reorder text.
 * Pure; used by the TUI, the text output of the CLI and its messages alike, and (as
 * `jsonForTerminal`) its JSON output.
 */

// C0 (incl. TAB/LF/CR), DEL, C1, line and paragraph separators, every default-ignorable code
// point — shown as nothing, so a different string looks the same (`/srv/da\u00adta` as
// `/srv/data`) or hides a text (tag characters, U+E0000–E007F): bidi embeddings, overrides,
// isolates and marks, zero-width characters and BOM, the Arabic letter mark, soft hyphen,
// fillers, variation selectors — and lone UTF-16 surrogates (which JSON can carry and a
// terminal would show as garbage; with the u flag only a lone one is a Cs code point).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Default_Ignorable_Code_Point}\p{Cs}]/gu;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0) as number;
  // C0, DEL and C1 as bash writes them (`\x9b`); above, up to U+FFFF, as `\u202e`; astral as `\U000e0041`.
  if (code <= 0x9f) return `\\x${code.toString(16).padStart(2, '0')}`;
  // Stryker disable next-line EqualityOperator: U+FFFF (a noncharacter) is never escaped, so < and <= are the same here
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
}

/** Default cap on characters of any one string shown; a 1 MB argv must not stall a render. */
export const DEFAULT_MAX_CHARS = 4096;

/**
 * The first `n` UTF-16 units of `s` (all of it when shorter), one fewer when the cut would split
 * a surrogate pair: half an emoji would show as a `\ud83d` escape, as if the record held a lone
 * surrogate. (Out of range, charCodeAt is NaN: no pair.)
 */
function cutAt(s: string, n: number): string {
  return s.slice(0, isHighSurrogate(s.charCodeAt(n - 1)) && isLowSurrogate(s.charCodeAt(n)) ? n - 1 : n);
}
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** What is shown after a cut string: how many of its characters are not. */
const cutMarker = (hidden: number) => `…[+${hidden} chars]`;

/**
 * Returns `s` with every unsafe character replaced by a visible escape (`\e`, `\x9b`,
 * `\u202e`, …) and cut to `maxChars` characters with a count of what was left out.
 */
export function escapeForTerminal(s: string, maxChars = DEFAULT_MAX_CHARS): string {
  const input = cutAt(s, maxChars);
  UNSAFE.lastIndex = 0;
  const escaped = UNSAFE.test(input) ? input.replace(UNSAFE, escapeChar) : input;
  return input.length < s.length ? `${escaped}${cutMarker(s.length - input.length)}` : escaped;
}

/** True when `s` would be changed by escaping (for highlighting suspicious fields). */
export function hasUnsafeCharacters(s: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s);
}

/** Each UTF-16 unit of `ch` as a JSON `\\uXXXX` escape (an astral character: its two halves, the same value). */
function jsonEscape(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * One line of JSON for scripts that no terminal will interpret: `JSON.stringify(value)` with
 * every character `escapeForTerminal` escapes written as a `\uXXXX` escape, so still the same
 * JSON value. (Outside strings JSON.stringify writes only ASCII, so every match is inside a
 * string; it already escapes C0 controls and lone surrogates itself.)
 */
export function jsonForTerminal(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(json) ? json.replace(UNSAFE, jsonEscape) : json;
}

/**
 * Shell-like display of one argv, so `rm -rf "/ tmp"` is not read as three words: words with
 * spaces or shell syntax are single-quoted, and words with control characters are shown in
 * bash's `$'…'` form (`printf $'\e[31m'`), which is both visible and exactly what ran.
 *
 * At most `maxChars` characters of the command line (the words and the single spaces between
 * them) are shown; when any are not, `…[+N chars]` follows, N counting exactly those. A word
 * cut short keeps its opening quote and no closing one and runs into the marker: it goes on
 * past it. A cut between words puts a space before the marker, and N counts that space.
 */
export function formatArgv(argv: readonly string[], maxChars = DEFAULT_MAX_CHARS): string {
  let total = Math.max(0, argv.length - 1);
  for (const word of argv) total += word.length;
  if (total <= maxChars) return argv.map((word) => shellWord(word, true)).join(' ');
  // Cut before quoting or escaping: a 1 MB argument must not cost a 1 MB escape on every render.
  let shown = '';
  let left = maxChars;
  let cutInWord = false;
  // Stryker disable next-line EqualityOperator: the loop always breaks first (a command line that fits whole returned above)
  for (let i = 0; i < argv.length; i++) {
    const room = i === 0 ? left : left - 1; // after the space before the word
    if (room < 0) break;
    const word = argv[i];
    const part = cutAt(word, room);
    if (part === '' && word !== '') break; // not one character of it fits: a cut between words
    shown += `${i === 0 ? '' : ' '}${shellWord(part, part.length === word.length)}`;
    left = room - part.length;
    if (part.length < word.length) {
      cutInWord = true;
      break;
    }
  }
  const gap = cutInWord || shown === '' ? '' : ' ';
  return `${shown}${gap}${cutMarker(total - (maxChars - left))}`;
}

/** One word as a shell would need it typed; `whole` false: cut short, so left unclosed. */
function shellWord(word: string, whole: boolean): string {
  const close = (quoted: string) => (whole ? `${quoted}'` : quoted);
  if (hasUnsafeCharacters(word)) return close(`$'${escapeForTerminal(word.replace(/[\\']/g, '\\$&'), Number.POSITIVE_INFINITY)}`);
  if (word === '' || /[\s'"\\$`|&;<>(){}*?[\]#~]/.test(word)) return close(`'${word.replace(/'/g, `'\\''`)}`);
  return word;
}

/** A pipeline as an operator typed it: stages joined with ` | `. */
export function formatPipeline(pipeline: readonly (readonly string[])[], maxChars = DEFAULT_MAX_CHARS): string {
  return pipeline.map((stage) => formatArgv(stage, maxChars)).join(' | ');
}

/**
 * `web-1 40, db 2`: hosts and a count each (a collector's hosts with records not checked), names
 * escaped, `, …` when they count fewer than `total` (the first of many listed); '' for none.
 */
export function formatHostCounts(hosts: readonly { origin: string; count: number }[], total: number): string {
  if (hosts.length === 0) return '';
  const more = hosts.reduce((n, h) => n - h.count, total) > 0 ? ', …' : '';
  return `${hosts.map((h) => `${escapeForTerminal(h.origin, 80)} ${h.count}`).join(', ')}${more}`;
}
