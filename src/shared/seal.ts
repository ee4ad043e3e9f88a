/**
 * Forward-secure seals: the format's cryptography and the verdict over a log's seals. Pure.
 *
 * The construction is a forward-secure MAC by key evolution (Bellare–Yee 1997; Schneier–Kelsey
 * 1998): a random key k₀ (the verification key, kept off the host) and one key per epoch,
 * k_{i+1} = HMAC-SHA256(k_i, KEY_EVOLUTION_LABEL). Each `seal` record is MAC'd under its
 * epoch's key, after which the writer keeps only the next key: whoever takes the host later
 * holds k_now and cannot compute any earlier key, so cannot re-seal a rewritten past.
 *
 * A seal line is written in exactly this form (the Rust writer must write the same bytes):
 *
 *   {"v":1,"type":"seal","seq":S,"prev":"P","logged":"T","time":"T","epoch":E,"key_id":"K","mac":"M"}
 *
 * and its MAC is HMAC-SHA256(k_E, SEAL_MAC_DOMAIN ‖ the line's bytes before `,"mac":"`): the
 * seal's own canonical content, its `seq` and `prev` included, so it covers every record
 * before it through the hash chain. `key_id` names the verification key (the first 16 hex
 * digits of SHA-256(KEY_ID_DOMAIN ‖ k₀)), so a seal from another log is told from a forged one.
 */
import { createHash, createHmac } from 'node:crypto';
import type { ChainedRecord } from './chain.js';

export const KEY_BYTES = 32;
/** What each key is MAC'd with to give the next one. */
export const KEY_EVOLUTION_LABEL = 'sudo-proxy-audit seal key evolution v1';
/** Prefixed to a seal's content before it is MAC'd (domain separation). */
export const SEAL_MAC_DOMAIN = 'sudo-proxy-audit seal v1\n';
export const KEY_ID_DOMAIN = 'sudo-proxy-audit key id v1\n';
/** Default sealing interval: a seal at most this often, when records were written since the last. */
export const DEFAULT_SEAL_INTERVAL_MS = 15 * 60_000;
/**
 * The most epochs a verifier derives before the first seal it sees (a log whose early history
 * was deleted): 2^24 is 480 years of 15-minute seals, and a few seconds of HMACs.
 */
export const MAX_EPOCH_SKIP = 2 ** 24;

const HEX64 = /^[0-9a-f]{64}$/;

/** k_{i+1} from k_i (neither is modified). */
export function nextKey(key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(KEY_EVOLUTION_LABEL).digest();
}

/** k_epoch from k₀, or null when epoch is beyond MAX_EPOCH_SKIP. Intermediate keys are wiped. */
export function keyAtEpoch(k0: Uint8Array, epoch: number): Buffer | null {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH_SKIP) return null;
  let k: Buffer = Buffer.from(k0);
  for (let i = 0; i < epoch; i++) {
    const n = nextKey(k);
    k.fill(0);
    k = n;
  }
  return k;
}

export function keyId(k0: Uint8Array): string {
  return createHash('sha256').update(KEY_ID_DOMAIN).update(k0).digest('hex').slice(0, 16);
}

/** HMAC-SHA256 of a seal's content (its line's bytes before `,"mac":"`), as hex. */
export function sealMac(key: Uint8Array, content: Uint8Array | string): string {
  return createHmac('sha256', key).update(SEAL_MAC_DOMAIN).update(content).digest('hex');
}

export interface SealFields {
  seq: number;
  prev: string;
  /** The writer's clock, ISO 8601 UTC with milliseconds (`logged` and `time` both). */
  time: string;
  epoch: number;
  keyId: string;
}

/** The seal line without its MAC: what the MAC covers. */
export function sealContent(f: SealFields): string {
  return `{"v":1,"type":"seal","seq":${f.seq},"prev":"${f.prev}","logged":"${f.time}","time":"${f.time}","epoch":${f.epoch},"key_id":"${f.keyId}"`;
}

/** The whole seal line (without newline), MAC'd under `key` (k_epoch). */
export function sealLine(f: SealFields, key: Uint8Array): string {
  const content = sealContent(f);
  return `${content},"mac":"${sealMac(key, content)}"}`;
}

const SEAL_LINE = /^\{"v":1,"type":"seal","seq":([1-9][0-9]{0,15}),"prev":"([0-9a-f]{64})","logged":"([^"\\]{1,40})","time":"([^"\\]{1,40})","epoch":(0|[1-9][0-9]{0,15}),"key_id":"([0-9a-f]{16})","mac":"([0-9a-f]{64})"\}$/;

export interface ParsedSeal extends SealFields {
  mac: string;
  /** The line's bytes the MAC covers. */
  content: Uint8Array;
}

/**
 * A seal line in its one canonical form, or null. Bytes, not re-serialised text: the MAC is
 * over what is on disk.
 */
export function parseSealLine(line: string | Uint8Array): ParsedSeal | null {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  if (bytes.length > 400) return null;
  const m = SEAL_LINE.exec(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  if (!m || m[3] !== m[4]) return null;
  const seq = Number(m[1]);
  const epoch = Number(m[5]);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(epoch)) return null;
  const macAt = bytes.length - ',"mac":"'.length - 64 - 2;
  return { seq, prev: m[2], time: m[3], epoch, keyId: m[6], mac: m[7], content: bytes.subarray(0, macAt) };
}

/** A verification key as given on a command line or in a file: 64 hex digits (whitespace around ignored). */
export function parseVerificationKey(text: string): Buffer | null {
  const hex = text.trim().toLowerCase();
  return HEX64.test(hex) ? Buffer.from(hex, 'hex') : null;
}

// ---- the verdict ----

export type SealFailureKind =
  | 'mac' // the seal's MAC does not verify: records before it were rewritten (and re-chained), or the seal was forged
  | 'missing-epoch' // an epoch was skipped: a seal deleted (or the log re-sealed with a later key)
  | 'reordered' // an epoch went backwards: seals out of order
  | 'other-log' // the seal names another verification key
  | 'malformed' // a record of type seal not in the one canonical form
  | 'truncated'; // the sealing state says a later seal was made than the log holds

export interface SealFailure {
  kind: SealFailureKind;
  file: string;
  line: number;
  message: string;
}

export interface SealPoint {
  seq: number;
  epoch: number;
  time: string;
  file: string;
  line: number;
}

export interface SealVerdict {
  /** Whether the seals' MACs were checked (a key was given). */
  keyed: boolean;
  /** Seal records seen (up to a failure). */
  seals: number;
  /** The last seal that verified (keyed) or was seen (not keyed). */
  last: SealPoint | null;
  /** Chained records after the last seal: not covered by any seal (the exposure window). */
  unsealed: number;
  /** The writer's time (`logged`) of the last chained record, when it has one. */
  lastLogged: string | null;
  failure: SealFailure | null;
  /** Findings that are not failures: a stale last seal, records long after it. */
  warnings: string[];
}

/** One chained record, in chain order, as the verifier hands it on (chain.ts's `onRecord`). */
export type SealInput = ChainedRecord;

const where = (p: { file: string; line: number }) => `${p.file}:${p.line}`;

/**
 * The seal verdict over a log's chained records, fed in chain order (after `verifyChain`'s
 * checks of each link, which this leaves to it). Given k₀ it checks each seal's MAC under
 * its epoch's key and that epochs follow each other; without one it only describes the seals.
 * Stops checking at the first failure (nothing after it is trusted), but keeps counting.
 */
export class SealChecker {
  private readonly verdict: SealVerdict;
  private key: Buffer | null = null;
  /** The epoch `key` is for; -1 before the first seal. */
  private epoch = -1;
  private readonly keyIdWanted: string | null;
  private lastSealMs = Number.NaN;
  /** The first chained record's seq: 1 when the records given begin the chain. */
  private firstSeq = -1;
  /** The last chained record's seq. */
  private lastSeq = -1;

  constructor(
    private readonly k0: Uint8Array | null,
    private readonly options: { intervalMs?: number } = {},
  ) {
    this.verdict = { keyed: k0 !== null, seals: 0, last: null, unsealed: 0, lastLogged: null, failure: null, warnings: [] };
    this.keyIdWanted = k0 === null ? null : keyId(k0);
  }

  add(r: SealInput): void {
    const v = this.verdict;
    if (this.firstSeq < 0) this.firstSeq = r.seq;
    this.lastSeq = r.seq;
    if (r.logged !== undefined) {
      // (Read as a time once, at the end: a Date.parse a record was ~0.15 s of verify over 1M records.)
      v.lastLogged = r.logged;
    }
    if (r.seal === null) {
      v.unsealed++;
      return;
    }
    if (v.failure) return;
    const seal = parseSealLine(r.seal);
    if (!seal) return this.fail('malformed', r, `${where(r)} is a seal record not in the canonical seal form: it cannot be checked`);
    v.seals++;
    if (this.k0 !== null && !this.check(seal, r)) return;
    v.last = { seq: seal.seq, epoch: seal.epoch, time: seal.time, file: r.file, line: r.line };
    v.unsealed = 0;
    this.lastSealMs = Date.parse(seal.time);
  }

  /** The verdict, with the staleness warnings of the log's end. Wipes the key held. */
  finish(): SealVerdict {
    this.key?.fill(0);
    this.key = null;
    const v = this.verdict;
    const interval = this.options.intervalMs ?? DEFAULT_SEAL_INTERVAL_MS;
    const lastLoggedMs = v.lastLogged === null ? Number.NaN : Date.parse(v.lastLogged);
    if (v.last && v.unsealed > 0 && lastLoggedMs - this.lastSealMs > interval) {
      const minutes = Math.round((lastLoggedMs - this.lastSealMs) / 60_000);
      v.warnings.push(
        `the last seal (${v.last.time}) is ${minutes} min older than the last record (${v.lastLogged}), more than the ${Math.round(interval / 60_000)} min seal interval: the writer stopped sealing (no state, a crash), or the log was truncated after a later seal`,
      );
    }
    return v;
  }

  private check(seal: ParsedSeal, at: SealInput): boolean {
    const k0 = this.k0 as Uint8Array;
    if (seal.keyId !== this.keyIdWanted) {
      this.fail('other-log', at, `${where(at)} (seq ${seal.seq}) is a seal under another verification key (key id ${seal.keyId}, this key's is ${this.keyIdWanted}): a seal from another log, or the wrong key`);
      return false;
    }
    if (this.epoch >= 0 && seal.epoch !== this.epoch + 1) {
      if (seal.epoch <= this.epoch) {
        this.fail('reordered', at, `${where(at)} (seq ${seal.seq}) seals epoch ${seal.epoch} after epoch ${this.epoch}: seals out of order`);
      } else {
        const gap = seal.epoch - this.epoch - 1;
        this.fail('missing-epoch', at, `${where(at)} (seq ${seal.seq}) seals epoch ${seal.epoch} after epoch ${this.epoch}: ${gap === 1 ? `epoch ${this.epoch + 1} is` : `epochs ${this.epoch + 1}–${seal.epoch - 1} are`} missing (a seal deleted or moved, or the log re-sealed with a later key)`);
      }
      return false;
    }
    if (this.epoch < 0 && seal.epoch > 0) {
      // Whoever holds k_now can MAC seals numbered from now on: renumbering a rewritten log's
      // seals from the current epoch is told by where the numbering starts.
      if (this.firstSeq === 1) {
        this.fail('missing-epoch', at, `${where(at)} (seq ${seal.seq}) is the first seal of a log that begins its chain, but seals epoch ${seal.epoch}: epochs 0–${seal.epoch - 1} are missing (the log re-sealed with a later key, or seals deleted)`);
        return false;
      }
      this.verdict.warnings.push(`the first seal given is epoch ${seal.epoch} and the records given begin at seq ${this.firstSeq}, not the chain's start: seals of earlier epochs are in files not given (--history) or were removed`);
    }
    let key: Buffer | null;
    if (this.epoch < 0) key = keyAtEpoch(k0, seal.epoch);
    else {
      key = nextKey(this.key as Buffer);
      this.key?.fill(0);
    }
    this.key = key;
    if (key === null) {
      this.fail('missing-epoch', at, `${where(at)} (seq ${seal.seq}) claims epoch ${seal.epoch}, beyond the ${MAX_EPOCH_SKIP} epochs a verifier derives`);
      return false;
    }
    this.epoch = seal.epoch;
    if (sealMac(key, seal.content) !== seal.mac) {
      this.fail('mac', at, `${where(at)} (seq ${seal.seq}, epoch ${seal.epoch}): the seal's MAC does not verify: records before it were rewritten, or the seal was forged`);
      return false;
    }
    return true;
  }

  /**
   * Compares the log's end with its sealing state (the log verified on its own host): the
   * state's epoch is one past the last seal made, and a holder of the state cannot move it
   * back, so a log whose last seal is older was truncated — unless that seal is the state's
   * pending one (a writer crashed while sealing), which fits the log's end exactly.
   * Call after the records, before `finish`.
   */
  checkState(state: { epoch: number; keyId: string; pending: string | null }, statePath: string): void {
    const v = this.verdict;
    if (v.failure || this.k0 === null || state.keyId !== this.keyIdWanted) return;
    const lastEpoch = v.last?.epoch ?? -1;
    if (state.epoch === lastEpoch + 1) return;
    const pending = state.pending === null ? null : parseSealLine(state.pending);
    if (pending && pending.epoch === lastEpoch + 1 && state.epoch === pending.epoch + 1 && pending.seq === this.lastSeq + 1) {
      v.warnings.push(`the seal of epoch ${pending.epoch} (${pending.time}) is in ${statePath} but not yet in the log: a writer stopped while sealing; it appends it when it next opens the log`);
      return;
    }
    const at = v.last ?? { file: statePath, line: 0 };
    this.fail(
      'truncated',
      at,
      `${statePath} is at epoch ${state.epoch}, but the log's last seal is ${lastEpoch < 0 ? 'none' : `epoch ${lastEpoch} at ${where(at)}`}: ${state.epoch - lastEpoch - 1} later seal${state.epoch - lastEpoch - 1 === 1 ? ' is' : 's are'} missing${pending ? ` (the last made: seq ${pending.seq} at ${pending.time})` : ''}: the log was truncated or its end rewritten`,
    );
  }

  private fail(kind: SealFailureKind, at: { file: string; line: number }, message: string): void {
    this.verdict.failure = { kind, file: at.file, line: at.line, message };
  }
}
