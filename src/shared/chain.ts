/**
 * The hash chain: each record written by a writer carries `seq` (+1 per record) and `prev`
 * (SHA-256 hex of the previous record's exact line bytes, without the newline). Editing,
 * deleting, inserting or reordering a line breaks the chain at a place `verifyChain` names.
 * Pure: no I/O here; callers feed lines.
 */
import { hash } from 'node:crypto';
import { GENESIS_HASH } from './format-constants.js';

export function hashLine(line: string | Uint8Array): string {
  // One-shot crypto.hash: about half the cost of createHash().update().digest() per line.
  return hash('sha256', line, 'hex');
}

// ---- the chain fields: one rule for every reader ----

/** A record's place in its writer's chain. */
export interface ChainFields {
  /** Position in the chain: 1 for the first record, +1 per record. */
  seq: number;
  /** SHA-256 of the line before, as 64 lowercase hex digits (GENESIS_HASH for the first). */
  prev: string;
}

/** `seq` as the writer writes it: a positive safe integer. */
export function isChainSeq(value: unknown): value is number {
  // (Number.isSafeInteger is false for anything that is not a number.)
  return Number.isSafeInteger(value) && (value as number) > 0;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `prev` as the writer writes it: 64 lowercase hex digits. */
export function isChainPrev(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

const HEX_LOWER = new Uint8Array(256);
for (const c of '0123456789abcdef') HEX_LOWER[c.charCodeAt(0)] = 1;

/** `isChainPrev` for the contents of a JSON string `b[start, end)` (no escapes), as the byte scanner reads it. */
export function isChainPrevBytes(b: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 64) return false;
  for (let i = start; i < end; i++) if (HEX_LOWER[b[i]] === 0) return false;
  return true;
}

/**
 * A record's chain fields, or null when it is unchained. The one rule, for every reader of a
 * log (verifyChain, the collected-host order, the writer resuming a log, parseLine's records,
 * the engine's byte scanner through isChainSeq and isChainPrevBytes):
 *
 *   chained ⇔ `seq` is a positive safe integer (isChainSeq) AND `prev` is 64 lowercase hex
 *   digits (isChainPrev).
 *
 * Everything else is unchained: a value that is not an object, a record without the fields
 * (another writer), with only one of them, or with a value outside the rule (`seq` 0, 1.5 or
 * 2^53, `prev` in capitals). Not a verdict on the record: the schema, and so parseLine, also
 * rejects a record whose `seq` or `prev` is present but outside the rule.
 */
export function chainFieldsOf(record: unknown): ChainFields | null {
  if (typeof record !== 'object' || record === null) return null;
  const { seq, prev } = record as { seq?: unknown; prev?: unknown };
  return isChainSeq(seq) && isChainPrev(prev) ? { seq, prev } : null;
}

/** chainFieldsOf a line's text or bytes: null too for a line that is not JSON. */
export function chainFieldsOfLine(text: string | Uint8Array): ChainFields | null {
  try {
    return chainFieldsOf(JSON.parse(typeof text === 'string' ? text : lossyUtf8.decode(text)));
  } catch {
    return null;
  }
}

/** One line of input to the verifier, with where it came from. */
export interface ChainLine {
  file: string;
  /** 1-based line number within the file. */
  line: number;
  /**
   * The line's exact bytes, without the trailing newline: what the chain hashes. A string
   * stands for its UTF-8 encoding (tests, lines held in memory).
   */
  text: string | Uint8Array;
  /** Set when the reader could not hand the line over (over the line cap): malformed for this reason. */
  unreadable?: string;
}

const lossyUtf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type BreakKind =
  | 'modified' // a line's bytes no longer match the hash its successor recorded
  | 'deleted' // records are missing (seq jumps forward and the missing ones never appear)
  | 'inserted' // a line that was not written by the chain's writer
  | 'reordered' // records appear out of seq order
  | 'restarted'; // a new chain (genesis) starts after records of an older one

export interface ChainBreak {
  kind: BreakKind;
  file: string;
  line: number;
  /** One sentence for a person. */
  message: string;
}

/** A line that is not a well-formed record, and why. */
export interface MalformedLine {
  file: string;
  line: number;
  reason: MalformedReason;
}

export type MalformedReason = 'blank line' | 'not valid UTF-8' | 'not JSON' | 'not a JSON object' | (string & {});

/** Malformed lines a report lists at most; all of them are counted (a file of newlines is millions). */
export const MALFORMED_LISTED = 1000;

export interface ChainReport {
  ok: boolean;
  /** Records that carry chain fields and were checked. */
  records: number;
  /** Records without valid seq/prev (another writer; see chainFieldsOf); not part of the chain. */
  unchained: number;
  /**
   * Lines that are not well-formed records (torn by a crash, garbage, bytes that are not
   * UTF-8): the first MALFORMED_LISTED of them. A record that is not UTF-8 is listed here and
   * still checked in the chain by its bytes.
   */
  malformed: MalformedLine[];
  /** How many malformed lines there were, listed or not. */
  malformedCount: number;
  /** Hash of the last chained line: the head to keep elsewhere as a witness. */
  head: string | null;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The first break, if any. Later breaks are not reported: after one, nothing is trusted. */
  break: ChainBreak | null;
}

interface Parsed extends ChainFields {
  at: Place;
  hash: string;
}

/** Where a line is, without its bytes: what the verifier keeps of a line it is done with. */
type Place = Pick<ChainLine, 'file' | 'line'>;

type Classified =
  | { kind: 'chained'; rec: Parsed; reason: MalformedReason | null }
  | { kind: 'unchained'; at: Place }
  | { kind: 'malformed'; at: Place; reason: MalformedReason };

/** A line's text, and whether its bytes are UTF-8 (a string always is). */
function decode(text: string | Uint8Array): { text: string; utf8: boolean } {
  if (typeof text === 'string') return { text, utf8: true };
  try {
    return { text: strictUtf8.decode(text), utf8: true };
  } catch {
    return { text: lossyUtf8.decode(text), utf8: false };
  }
}

function classify(at: ChainLine): Classified {
  const place = { file: at.file, line: at.line };
  if (at.unreadable !== undefined) return { kind: 'malformed', at: place, reason: at.unreadable };
  if (at.text.length === 0) return { kind: 'malformed', at: place, reason: 'blank line' };
  const { text, utf8 } = decode(at.text);
  const notUtf8 = utf8 ? null : 'not valid UTF-8';
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return { kind: 'malformed', at: place, reason: notUtf8 ?? 'not JSON' };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { kind: 'malformed', at: place, reason: notUtf8 ?? 'not a JSON object' };
  const fields = chainFieldsOf(obj);
  // The chain covers the exact bytes: a record whose bytes were made invalid UTF-8 still
  // parses once decoded, but its hash is of what is on disk, so its successor names it.
  if (fields) return { kind: 'chained', rec: { at: place, hash: hashLine(at.text), ...fields }, reason: notUtf8 };
  return notUtf8 ? { kind: 'malformed', at: place, reason: notUtf8 } : { kind: 'unchained', at: place };
}

const where = (at: Place) => `${at.file}:${at.line}`;

/** How far ahead the verifier looks to tell a reordering from a deletion. */
export const LOOKAHEAD = 1024;

/**
 * Walks lines in order (files oldest first) and reports the first break in the chain.
 * `lines` may be any iterable, so a caller can stream files of any size through it.
 * `expectHead`, when given, is a hash kept elsewhere (a witness); a log whose last chained
 * line does not hash to it, and does not contain it, was truncated or rewritten at the tail.
 */
export function verifyChain(lines: Iterable<ChainLine>, options: { expectHead?: string } = {}): ChainReport {
  const report: ChainReport = {
    ok: true,
    records: 0,
    unchained: 0,
    malformed: [],
    malformedCount: 0,
    head: null,
    firstSeq: null,
    lastSeq: null,
    break: null,
  };
  const iterator = lines[Symbol.iterator]();
  const next = (): Classified | undefined => {
    const r = iterator.next();
    return r.done ? undefined : classify(r.value);
  };
  /**
   * The chained records among the next LOOKAHEAD lines, for classifying a break. The walk
   * stops at the break, so the lines read here are not walked again.
   */
  const peekChained = (): Parsed[] => {
    // Stryker disable next-line ArrayDeclaration: an entry that is not a record has no seq, so find() passes over it
    const ahead: Parsed[] = [];
    for (let i = 0; i < LOOKAHEAD; i++) {
      const r = iterator.next();
      if (r.done) break;
      const c = classify(r.value);
      if (c.kind === 'chained') ahead.push(c.rec);
    }
    return ahead;
  };

  let last: Parsed | null = null;
  /**
   * Malformed lines since the last chained record: one of them may be a record edited into
   * garbage. Only where the last LOOKAHEAD of them are is kept.
   */
  // Stryker disable next-line ArrayDeclaration: replaced at the first chained record, before anything reads it
  let garbled: Place[] = [];
  const listMalformed = (at: Place, reason: MalformedReason): void => {
    if (report.malformedCount++ < MALFORMED_LISTED) report.malformed.push({ file: at.file, line: at.line, reason });
  };
  let sawExpectedHead = false;
  const fail = (kind: BreakKind, at: Place, message: string): ChainReport => {
    report.ok = false;
    report.break = { kind, file: at.file, line: at.line, message };
    return report;
  };

  for (let c = next(); c !== undefined; c = next()) {
    if (c.kind === 'malformed') {
      // A torn line (crash mid-append) is followed by a record whose prev skips it: tolerated
      // and listed. If a chained line was edited into garbage, the next record says so.
      // (Those before the first chained record are dropped with it: nothing was chained yet.)
      listMalformed(c.at, c.reason);
      if (garbled.length === LOOKAHEAD) garbled.shift();
      garbled.push(c.at);
      continue;
    }
    if (c.kind === 'unchained') {
      // Records without chain fields are accepted before a chain starts (another writer);
      // once a chain runs, a line without valid seq/prev inside it was not written by its writer.
      if (last !== null) return fail('inserted', c.at, `${where(c.at)} carries no valid chain fields (seq, prev) inside the chain that runs through ${where(last.at)}`);
      report.unchained++;
      continue;
    }
    const rec = c.rec;
    if (c.reason !== null) listMalformed(rec.at, c.reason);
    const skipped = garbled;
    garbled = [];
    report.records++;
    if (options.expectHead && rec.hash === options.expectHead) sawExpectedHead = true;
    if (last === null) {
      report.firstSeq = rec.seq;
      last = rec;
      continue;
    }
    const expectedSeq = last.seq + 1;
    if (rec.seq === expectedSeq && rec.prev === last.hash) {
      last = rec;
      continue;
    }
    if (rec.prev === GENESIS_HASH && rec.seq === 1) {
      return fail('restarted', rec.at, `a new chain starts at ${where(rec.at)} after seq ${last.seq} at ${where(last.at)}`);
    }
    if (rec.seq === last.seq && rec.prev === last.prev) {
      return fail('inserted', last.at, `${where(last.at)} is not from the chain: ${where(rec.at)} carries the same seq ${rec.seq} and continues from the line before it`);
    }
    if (rec.seq === expectedSeq) {
      return fail('modified', last.at, `${where(last.at)} (seq ${last.seq}) was modified: its hash no longer matches the prev recorded by ${where(rec.at)}`);
    }
    // Stryker disable next-line EqualityOperator: rec.seq === expectedSeq returned above, so `>=` is the same test
    if (rec.seq > expectedSeq) {
      const missing = new Set<number>();
      for (let s = expectedSeq; s < rec.seq && missing.size < LOOKAHEAD; s++) missing.add(s);
      const later = peekChained().find((p) => missing.has(p.seq));
      if (later) {
        return fail('reordered', rec.at, `${where(rec.at)} (seq ${rec.seq}) comes before ${where(later.at)} (seq ${later.seq}): records are out of order`);
      }
      const n = rec.seq - expectedSeq;
      // A torn append never advances the chain, so malformed lines where the missing records
      // should be are those records, edited into something that is no longer a record.
      // (Past the last LOOKAHEAD of them, where the edit was is no longer known: a deletion.)
      if (skipped.length >= n) {
        const edited = skipped[skipped.length - n];
        return fail('modified', edited, `${where(edited)} (seq ${expectedSeq}) was modified: it is no longer a record, and ${where(rec.at)} continues after it`);
      }
      return fail('deleted', rec.at, `${n} record${n === 1 ? '' : 's'} (seq ${expectedSeq}${n > 1 ? `–${rec.seq - 1}` : ''}) missing between ${where(last.at)} and ${where(rec.at)}`);
    }
    return fail('reordered', rec.at, `${where(rec.at)} (seq ${rec.seq}) comes after seq ${last.seq} at ${where(last.at)}: records are out of order`);
  }
  if (last) {
    report.head = last.hash;
    report.lastSeq = last.seq;
  }
  if (options.expectHead && report.ok && !sawExpectedHead) {
    report.ok = false;
    const at = last?.at ?? { file: '(none)', line: 0 };
    report.break = {
      kind: 'deleted',
      file: at.file,
      line: at.line,
      message: `the expected head ${options.expectHead.slice(0, 16)}… is not in the log: its tail was truncated or rewritten`,
    };
  }
  return report;
}
