/**
 * Is this file an audit log at all? Decided from its first bytes, before any command spends
 * time on it, so `print /bin/ls` or `stats README.md` fails with one clear line. Pure.
 */

export type SniffResult = { ok: true } | { ok: false; reason: string };

const RECORD_TYPES = new Set(['request', 'response', 'writer']);

function isRecord(line: string): boolean | 'json' {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'json';
  const { v, type } = value as { v?: unknown; type?: unknown };
  return typeof v === 'number' && typeof type === 'string' && RECORD_TYPES.has(type) ? true : 'json';
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** How many complete lines are looked at: garbage in the first few (a torn line) is tolerated. */
const LINES_LOOKED_AT = 20;

/**
 * `head` is the start of the (decompressed) file; `whole` says it is the entire file, so a
 * last line without a newline is complete rather than cut by the window.
 */
export function sniffAuditLog(head: Uint8Array, whole: boolean): SniffResult {
  if (head.length === 0) return { ok: true }; // an empty log: nothing recorded yet
  if (head.includes(0)) return { ok: false, reason: 'not an audit log (binary data)' };
  let text: string;
  try {
    text = decoder.decode(whole ? head : trimPartialCharacter(head));
  } catch {
    return { ok: false, reason: 'not an audit log (binary data: not UTF-8 text)' };
  }
  const lines = text.split('\n');
  const fragment = lines.pop() as string; // after the last newline: a cut-off line unless `whole`
  if (whole && fragment !== '') lines.push(fragment);
  let firstProblem: string | undefined;
  let looked = 0;
  for (let i = 0; i < lines.length && looked < LINES_LOOKED_AT; i++) {
    if (lines[i].trim() === '') continue;
    looked++;
    const verdict = isRecord(lines[i]);
    if (verdict === true) return { ok: true };
    firstProblem ??= `line ${i + 1} is ${verdict === 'json' ? 'JSON but not an audit record' : 'not JSON'}`;
  }
  if (firstProblem === undefined) {
    // No complete line in the window: a long first record is still plausible.
    return fragment.trimStart().startsWith('{') || lines.length > 0 ? { ok: true } : { ok: false, reason: 'not an audit log (not JSON lines)' };
  }
  return { ok: false, reason: `not an audit log (${firstProblem})` };
}

/** Drops an incomplete UTF-8 sequence at the end of a window so it is not mistaken for binary. */
function trimPartialCharacter(bytes: Uint8Array): Uint8Array {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (bytes[i] & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i];
  const needed = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return needed > continuation ? bytes.subarray(0, i) : bytes;
}
