/**
 * The hash chain: each record written by a writer carries `seq` (+1 per record) and `prev`
 * (SHA-256 hex of the previous record's exact line bytes, without the newline). Editing,
 * deleting, inserting or reordering a line breaks the chain at a place `verifyChain` names.
 * Pure: no I/O here; callers feed lines.
 */
import { hash } from 'node:crypto';
import { type BreakKind, ChainChecker, ChainLinker, type FoundBreak, type MalformedReason } from './chain-checker.js';
import { isBlankLine, nulReason, REASON_BLANK } from './line-bytes.js';

/** How far ahead a break is looked past to tell a reordering from a deletion (the checker's). */
export { LOOKAHEAD } from './chain-checker.js';

export function hashLine(line: string | Uint8Array): string {
  // One-shot crypto.hash: about half the cost of createHash().update().digest() per line.
  return hash('sha256', line, 'hex');
}

/** hashLine of the bytes `b[start, end)`, through a plain view: a Buffer's subarray costs a tenth more per line (#17). */
export function hashLineAt(b: Uint8Array, start: number, end: number): string {
  return hash('sha256', new Uint8Array(b.buffer, b.byteOffset + start, end - start), 'hex');
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
  return Number.isSafeInteger(value) && (value as number) > 0;
}

const HEX_LOWER = new Uint8Array(256);
for (const c of '0123456789abcdef') HEX_LOWER[c.charCodeAt(0)] = 1;

/** `prev` as the writer writes it: 64 lowercase hex digits. (By table: a regex was a sixth of reading an entry back.) */
export function isChainPrev(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    // A code unit past the table (above 0xff) reads undefined: refused like any other non-hex.
    if (HEX_LOWER[value.charCodeAt(i)] !== 1) return false;
  }
  return true;
}

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
  /**
   * What the line is to the chain when the reader already knows it from these very bytes (the
   * native scanner: engine/native-chain-kinds.ts), else classified here.
   */
  known?: ChainLineKind;
}

const lossyUtf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type { BreakKind, MalformedReason } from './chain-checker.js';

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

/** A chained record in chain order, after its link was checked: what `onRecord` is given. */
export interface ChainedRecord {
  seq: number;
  file: string;
  line: number;
  logged: string | undefined;
  /** For a record of type `seal`, its line's exact bytes; else null. */
  seal: string | Uint8Array | null;
}

/** Where a line is, without its bytes: what the verifier keeps of a line it is done with. */
type Place = Pick<ChainLine, 'file' | 'line'>;

/** What the chain sees of one line: a record in it (with its prev and the hash of its bytes), a record outside it, or not a record. */
export type ChainLineKind =
  | { kind: 'chained'; seq: number; prev: string; hash: string; reason: MalformedReason | null; logged?: string; isSeal?: boolean }
  | { kind: 'unchained'; reason: MalformedReason | null }
  | { kind: 'malformed'; reason: MalformedReason };

/** A line's text, and whether its bytes are UTF-8 (a string always is). */
function decode(text: string | Uint8Array): { text: string; utf8: boolean } {
  if (typeof text === 'string') return { text, utf8: true };
  try {
    return { text: strictUtf8.decode(text), utf8: true };
  } catch {
    return { text: lossyUtf8.decode(text), utf8: false };
  }
}

/**
 * Why a JSON object is not a record, or null when it is one: the schema's judgement, given by
 * the caller (this module cannot import the parser, which imports it), so that verify names
 * the same lines malformed as the engine and print do.
 */
export type RecordJudge = (value: object) => MalformedReason | null;

/**
 * What a line is to the chain, from its exact bytes. The engine asks only of lines its own
 * parser rejected (for the others it knows the answer), so both read every line alike.
 */
export function classifyChainLine(bytes: string | Uint8Array, unreadable?: string, judge?: RecordJudge): ChainLineKind {
  if (unreadable !== undefined) return { kind: 'malformed', reason: unreadable };
  if (isBlankLine(bytes)) return { kind: 'malformed', reason: REASON_BLANK };
  const { text, utf8 } = decode(bytes);
  const notUtf8 = utf8 ? null : 'not valid UTF-8';
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    // No JSON text holds a raw NUL: a line with one is named for it, as every reader names it.
    return { kind: 'malformed', reason: nulReason(bytes) ?? notUtf8 ?? 'not JSON' };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { kind: 'malformed', reason: notUtf8 ?? 'not a JSON object' };
  const fields = chainFieldsOf(obj);
  const reason = notUtf8 ?? judge?.(obj) ?? null;
  // The chain covers the exact bytes: a record whose bytes were made invalid UTF-8 (or that
  // the schema rejects) still parses, but its hash is of what is on disk, so its successor
  // names it; it is listed as malformed too, as the other readers list it.
  if (fields) {
    const { logged, type } = obj as { logged?: unknown; type?: unknown };
    return { kind: 'chained', seq: fields.seq, prev: fields.prev, hash: hashLine(bytes), reason, logged: typeof logged === 'string' ? logged : undefined, isSeal: type === 'seal' };
  }
  return notUtf8 ? { kind: 'malformed', reason: notUtf8 } : { kind: 'unchained', reason };
}

/** A line's bytes, copied, for whoever keeps it (a seal, a collected host's early line): a reader's line may be a view of a buffer it reuses, and lookahead holds records. */
export const copyOf = (text: string | Uint8Array): string | Uint8Array => (typeof text === 'string' ? text : Uint8Array.from(text));

const where = (at: Place) => `${at.file}:${at.line}`;

/**
 * Walks lines in order (files oldest first) and reports the first break in the chain: the
 * incremental checker (chain-checker.ts) the engine also runs, stopped at its first break.
 * `lines` may be any iterable, so a caller can stream files of any size through it.
 * `expectHead`, when given, is a hash kept elsewhere (a witness); a log whose last chained
 * line does not hash to it, and does not contain it, was truncated or rewritten at the tail.
 * `judge`, when given, also lists a JSON object it rejects as malformed (verify passes the
 * schema's, recordProblem in cli/commands/lines.ts).
 */
export function verifyChain(lines: Iterable<ChainLine>, options: { expectHead?: string; judge?: RecordJudge; onRecord?: (r: ChainedRecord) => void } = {}): ChainReport {
  // (Set by onBreak: the cast keeps TypeScript from narrowing it to null for good.)
  let first = null as { found: FoundBreak<Place>; records: number; malformedCount: number } | null;
  const checker: ChainChecker<Place> = new ChainChecker<Place>({
    listMalformed: MALFORMED_LISTED,
    // What the report says is as of the first break: after one, nothing is trusted.
    onBreak: (found) => (first ??= { found, records: checker.records, malformedCount: checker.malformedCount }),
  });
  const linker = new ChainLinker();
  let head: string | null = null;
  let lastSeq: number | null = null;
  let sawExpectedHead = false;
  for (const line of lines) {
    const at = { file: line.file, line: line.line };
    const c = line.known ?? classifyChainLine(line.text, line.unreadable, options.judge);
    if (c.kind === 'chained') {
      checker.chained(at, c.seq, linker.link(c.prev, c.hash), undefined, c.reason); // (no key: a break is cited by its place)
      if (!first) options.onRecord?.({ seq: c.seq, file: at.file, line: at.line, logged: c.logged, seal: c.isSeal ? copyOf(line.text) : null });
      head = c.hash;
      lastSeq = c.seq;
      if (options.expectHead && c.hash === options.expectHead) sawExpectedHead = true;
    } else if (c.kind === 'unchained') {
      // An object the judge rejects, before any chain runs, is no record: malformed, not another writer's.
      // Inside a chain it breaks it (inserted) whatever it is.
      if (c.reason !== null && checker.last === null) checker.malformedLine(at, c.reason);
      else checker.unchainedRecord(at);
    }
    else checker.malformedLine(at, c.reason);
    if (first) break;
  }
  // A last seq jump is judged now (first is set then). After a break, what it finds is not reported.
  checker.settle();
  const report: ChainReport = {
    ok: first === null,
    records: first?.records ?? checker.records,
    unchained: checker.unchained,
    malformed: checker.malformed.slice(0, first?.malformedCount ?? MALFORMED_LISTED).map(({ at, reason }) => ({ file: at.file, line: at.line, reason })),
    malformedCount: first?.malformedCount ?? checker.malformedCount,
    head: null,
    firstSeq: checker.firstSeq,
    lastSeq: null,
    break: null,
  };
  if (first) {
    const { found } = first;
    report.break = { kind: found.kind, file: found.at.file, line: found.at.line, message: found.message(where) };
    return report;
  }
  // (Both still null when no line was chained.)
  report.head = head;
  report.lastSeq = lastSeq;
  if (options.expectHead && !sawExpectedHead) {
    report.ok = false;
    const at = checker.last?.at ?? { file: '(none)', line: 0 };
    report.break = {
      kind: 'deleted',
      file: at.file,
      line: at.line,
      message: `the expected head ${options.expectHead.slice(0, 16)}… is not in the log: its tail was truncated or rewritten`,
    };
  }
  return report;
}
