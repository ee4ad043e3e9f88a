/**
 * The JSON values of the byte scanner's strict subset (see scan-record.ts), read from bytes:
 * strings of plain ASCII without escapes, numbers, booleans, null, arrays of strings, a
 * pipeline, a response's stages. Each returns the index after the value, or -1 for anything
 * outside the subset. What a value holds is left in `scanned` (no allocation per value).
 * Pure: no I/O.
 */
import * as compactRecord from './compact-record.js';
import * as recordKeys from './record-keys.js';

// Local copies: V8 does not constant-fold imported bindings, and this is the indexer's hot loop.
const { latin1 } = compactRecord;
const { equals, LIT } = recordKeys;

export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Byte classes inside a string: 0 plain ASCII, 1 the closing quote, 2 anything else (escape, control, non-ASCII). */
const STRING_CLASS = new Uint8Array(256).fill(2);
for (let c = 0x20; c < 0x80; c++) STRING_CLASS[c] = 0;
STRING_CLASS[QUOTE] = 1;
STRING_CLASS[0x5c] = 2;

/** Where the line ends (set by `scanLine`): no value reads past it. */
let end = 0;

/**
 * What the last value held: one object for the module's life, so the hot loop allocates
 * nothing. `sStart/sEnd` are the last string's contents, `num` the last number (or boolean as
 * 1/0), `numIsInt` whether it is a safe integer, `anyFailedStage` whether `stages` saw a
 * non-zero exit code, `userStart/userEnd` an operator's user (its uid in `num`).
 */
export const scanned = { sStart: 0, sEnd: 0, num: 0, numIsInt: false, anyFailedStage: false, userStart: 0, userEnd: 0 };

/** Bounds the values read next to the line ending at `lineEnd`. */
export function scanLine(lineEnd: number): void {
  end = lineEnd;
}

/** A string at `i` (its opening quote); returns the index after it, or -1. */
export function str(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) return -1;
  let j = i + 1;
  while (STRING_CLASS[b[j]] === 0) j++;
  if (j >= end || b[j] !== QUOTE) return -1;
  scanned.sStart = i + 1;
  scanned.sEnd = j;
  return j + 1;
}

/** A JSON number at `i`; returns the index after it, or -1. */
export function number(b: Uint8Array, i: number): number {
  let j = i;
  const negative = b[j] === MINUS;
  if (negative) j++;
  let c = b[j];
  let value = 0;
  let digits = 0;
  if (c === ZERO) {
    j++;
    digits = 1;
  } else if (c > ZERO && c <= NINE) {
    while (c >= ZERO && c <= NINE) {
      value = value * 10 + (c - ZERO);
      digits++;
      c = b[++j];
    }
  } else return -1;
  c = b[j];
  let plainInt = digits <= 15;
  if (c === 0x2e) {
    plainInt = false;
    c = b[++j];
    if (!(c >= ZERO && c <= NINE)) return -1;
    while (c >= ZERO && c <= NINE) c = b[++j];
  }
  if (c === 0x65 || c === 0x45) {
    plainInt = false;
    c = b[++j];
    if (c === 0x2b || c === MINUS) c = b[++j];
    if (!(c >= ZERO && c <= NINE)) return -1;
    while (c >= ZERO && c <= NINE) c = b[++j];
  }
  if (j > end) return -1;
  if (plainInt) {
    scanned.num = negative ? -value : value;
    scanned.numIsInt = true;
  } else {
    scanned.num = Number(latin1(b, i, j));
    scanned.numIsInt = Number.isSafeInteger(scanned.num);
    if (!Number.isFinite(scanned.num)) return -1;
  }
  return j;
}

/** `true`/`false` at `i`: index after it, or -1; the value in `scanned.num` (1/0). */
export function boolean(b: Uint8Array, i: number): number {
  if (b[i] === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) {
    scanned.num = 1;
    return i + 4;
  }
  if (b[i] === 0x66 && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) {
    scanned.num = 0;
    return i + 5;
  }
  return -1;
}

export const isNull = (b: Uint8Array, i: number) => b[i] === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c;

/** `[ "a", … ]` (any length; `nulls` allows null items). Index after it, or -1. */
export function stringArray(b: Uint8Array, i: number, nulls: boolean): number {
  if (b[i] !== LBRACKET) return -1;
  let j = i + 1;
  if (b[j] === RBRACKET) return j + 1;
  for (;;) {
    if (nulls && isNull(b, j)) j += 4;
    else if ((j = str(b, j)) === -1) return -1;
    const c = b[j];
    if (c === RBRACKET) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

/** `[[…], …]` with at least one stage. */
export function pipeline(b: Uint8Array, i: number): number {
  if (b[i] !== LBRACKET) return -1;
  let j = i + 1;
  for (;;) {
    if ((j = stringArray(b, j, false)) === -1) return -1;
    const c = b[j];
    if (c === RBRACKET) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

const { stageExitCode, stageStderrLen, stageStderrTruncated } = LIT;

/**
 * A stage as the writer writes it, `{"exit_code":int,"stderr_len":int≥0,"stderr_truncated":bool}`
 * (those keys in that order, #17: each read with one comparison); the index after it, or -1 for
 * anything else (`stages` then reads the object key by key).
 */
function writerStage(b: Uint8Array, j: number): number {
  if (!startsWith(b, j, stageExitCode) || (j = number(b, j + stageExitCode.length)) === -1 || !scanned.numIsInt) return -1;
  const failed = scanned.num !== 0;
  if (!startsWith(b, j, stageStderrLen) || (j = number(b, j + stageStderrLen.length)) === -1 || !scanned.numIsInt || scanned.num < 0) return -1;
  if (!startsWith(b, j, stageStderrTruncated) || (j = boolean(b, j + stageStderrTruncated.length)) === -1 || b[j] !== RBRACE) return -1;
  if (failed) scanned.anyFailedStage = true;
  return j;
}

/** `[{"exit_code":int,"stderr_len":int≥0,"stderr_truncated":bool}, …]`; sets scanned.anyFailedStage. */
export function stages(b: Uint8Array, i: number): number {
  if (b[i] !== LBRACKET) return -1;
  let j = i + 1;
  scanned.anyFailedStage = false;
  if (b[j] === RBRACKET) return j + 1;
  for (;;) {
    const atWriters = writerStage(b, j);
    if (atWriters !== -1) {
      j = atWriters + 1;
      const c = b[j];
      if (c === RBRACKET) return j + 1;
      if (c !== COMMA) return -1;
      j++;
      continue;
    }
    if (b[j] !== LBRACE) return -1;
    j++;
    let seen = 0;
    for (;;) {
      if ((j = str(b, j)) === -1 || b[j] !== COLON) return -1;
      j++;
      if (equals(b, scanned.sStart, scanned.sEnd, LIT.exit_code) && !(seen & 1)) {
        seen |= 1;
        if ((j = number(b, j)) === -1 || !scanned.numIsInt) return -1;
        if (scanned.num !== 0) scanned.anyFailedStage = true;
      } else if (equals(b, scanned.sStart, scanned.sEnd, LIT.stderr_len) && !(seen & 2)) {
        seen |= 2;
        if ((j = number(b, j)) === -1 || !scanned.numIsInt || scanned.num < 0) return -1;
      } else if (equals(b, scanned.sStart, scanned.sEnd, LIT.stderr_truncated) && !(seen & 4)) {
        seen |= 4;
        if ((j = boolean(b, j)) === -1) return -1;
      } else return -1;
      const c = b[j];
      if (c === RBRACE) break;
      if (c !== COMMA) return -1;
      j++;
    }
    if (seen !== 7) return -1;
    j++;
    const c = b[j];
    if (c === RBRACKET) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

const { opUid, opUser, opTty, opHostname } = LIT;

/**
 * An operator object as the writer writes it, `{"uid":int≥0,"user":str,"tty":str|null,"hostname":str}`
 * (those keys, in that order: anything else is left to the full path). Index after it, or -1;
 * the uid in `scanned.num`, the user in `scanned.userStart/userEnd`.
 */
export function operator(b: Uint8Array, i: number): number {
  if (!startsWith(b, i, opUid) || b[(i += opUid.length)] === MINUS) return -1;
  if ((i = number(b, i)) === -1 || !scanned.numIsInt || !startsWith(b, i, opUser)) return -1;
  const uid = scanned.num;
  if ((i = str(b, i + opUser.length)) === -1 || !startsWith(b, i, opTty)) return -1;
  const userStart = scanned.sStart;
  const userEnd = scanned.sEnd;
  i += opTty.length;
  if (isNull(b, i)) i += 4;
  else if ((i = str(b, i)) === -1) return -1;
  if (!startsWith(b, i, opHostname) || (i = str(b, i + opHostname.length)) === -1 || b[i] !== RBRACE) return -1;
  scanned.num = uid;
  scanned.userStart = userStart;
  scanned.userEnd = userEnd;
  return i + 1;
}

/** Whether `lit` is at b[i] (within the line). */
function startsWith(b: Uint8Array, i: number, lit: Uint8Array): boolean {
  return i + lit.length <= end && equals(b, i, i + lit.length, lit);
}
