/**
 * What is wrong with a line before it is JSON — blank, NUL bytes, NUL padding — with one
 * wording for every reader (verify's chain, the engine, print), so they name a line alike.
 * A writer never writes such a line: each is a leftover (a torn append, a crash, an edit) and
 * one malformed line, never skipped in silence. Pure.
 */

export const REASON_BLANK = 'blank line';
export const REASON_NUL = 'contains NUL bytes';
/** A line of NUL bytes alone: the padding a crash leaves where a write was lost (ext4 delayed allocation). */
export const REASON_NUL_PADDING = 'NUL padding';

const code = (line: string | Uint8Array, i: number): number => (typeof line === 'string' ? line.charCodeAt(i) : line[i]);

/**
 * True for an empty line or one of only spaces, tabs and carriage returns: JSON whitespace but
 * the newline. Other Unicode spaces (U+00A0, U+FEFF, …) are not JSON whitespace: "not JSON".
 */
export function isBlankLine(line: string | Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = code(line, i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Why a line holding NUL bytes is not a record (no JSON text holds a raw NUL), or undefined when it holds none. */
export function nulReason(line: string | Uint8Array): string | undefined {
  if (typeof line === 'string' ? !line.includes('\u0000') : !line.includes(0)) return undefined;
  for (let i = 0; i < line.length; i++) if (code(line, i) !== 0) return REASON_NUL;
  return `${REASON_NUL_PADDING}: ${line.length} byte${line.length === 1 ? '' : 's'}`;
}

export const REASON_OVER_CAP = 'over the 1 MiB line cap';

/** True when `b[start, end)` is nothing but NUL bytes (true for no bytes). Stops at the first other byte. */
export function isAllNul(b: Uint8Array, start = 0, end = b.length): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Why a line over the cap (whose bytes a reader does not keep) is no record: NUL padding when
 * it held nothing else — a crash's leftover is padding whatever its length — else over the cap.
 */
export function overCapReason(nulOnly: boolean, length: number): string {
  return nulOnly ? `${REASON_NUL_PADDING}: ${length} bytes` : REASON_OVER_CAP;
}
