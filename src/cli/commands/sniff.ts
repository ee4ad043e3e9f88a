/**
 * Is this file an audit log at all? Decided from its first bytes, before any command spends
 * time on it, so `print /bin/ls` or `stats README.md` fails with one clear line. Pure.
 *
 * The rule, line by line: a file is an audit log when one of the first 20 non-blank lines in
 * the window (the first 64 KiB; what the first 16 KiB of a gzip file inflate to) is an audit
 * record. A bad line — a NUL, a byte that is not UTF-8, a torn record — is only a bad line:
 * the readers list it as malformed, and one such line never makes a log "not an audit log".
 * Lines of NUL bytes alone (the padding a crash leaves on ext4) count as blank. A PNG, an ELF
 * binary or random bytes have no record among their first lines, and are refused.
 */

export type SniffResult = { ok: true } | { ok: false; reason: string };

const RECORD_TYPES = new Set(['request', 'response', 'writer', 'seal']);

/** What one line is, for the sniff: a record, JSON of another kind, text, or binary data. */
type LineVerdict = 'record' | 'json' | 'text' | 'nul' | 'not-utf8';

const decoder = new TextDecoder('utf-8', { fatal: true });

function judgeLine(line: Uint8Array): LineVerdict {
  if (line.includes(0)) return 'nul';
  let text: string;
  try {
    text = decoder.decode(line);
  } catch {
    return 'not-utf8';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'text';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'json';
  const { v, type } = value as { v?: unknown; type?: unknown };
  return typeof v === 'number' && typeof type === 'string' && RECORD_TYPES.has(type) ? 'record' : 'json';
}

const PROBLEM: Record<Exclude<LineVerdict, 'record'>, (line: number) => string> = {
  nul: () => 'binary data',
  'not-utf8': () => 'binary data: not UTF-8 text',
  text: (n) => `line ${n} is not JSON`,
  json: (n) => `line ${n} is JSON but not an audit record`,
};

/** How many complete lines are looked at: garbage in the first few (a torn line) is tolerated. */
const LINES_LOOKED_AT = 20;

const SPACE = new Set([0x20, 0x09, 0x0d, 0x00]);

/** Blank: whitespace, or NUL padding. */
const isBlank = (line: Uint8Array): boolean => line.every((b) => SPACE.has(b));

/**
 * `head` is the start of the (decompressed) file; `whole` says it is the entire file, so a
 * last line without a newline is complete rather than cut by the window.
 */
export function sniffAuditLog(head: Uint8Array, whole: boolean): SniffResult {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let nl = head.indexOf(0x0a); nl !== -1; nl = head.indexOf(0x0a, start)) {
    lines.push(head.subarray(start, nl));
    start = nl + 1;
  }
  const fragment = head.subarray(start); // after the last newline: a cut-off line unless `whole`
  if (whole && fragment.length > 0) lines.push(fragment);
  let firstProblem: string | undefined;
  let looked = 0;
  for (let i = 0; i < lines.length && looked < LINES_LOOKED_AT; i++) {
    if (isBlank(lines[i])) continue;
    looked++;
    const verdict = judgeLine(lines[i]);
    if (verdict === 'record') return { ok: true };
    firstProblem ??= PROBLEM[verdict](i + 1);
  }
  if (firstProblem === undefined) {
    // No complete line to judge: empty, blank or padding only (nothing recorded yet, or a crash
    // lost it), or a long first record the window cuts.
    const cut = whole ? undefined : fragment.find((b) => !SPACE.has(b));
    return cut === undefined || cut === 0x7b /* { */ ? { ok: true } : { ok: false, reason: 'not an audit log (not JSON lines)' };
  }
  return { ok: false, reason: `not an audit log (${firstProblem})` };
}
