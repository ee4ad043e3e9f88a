/**
 * `verify` output: one line (or one JSON object) for a log's chain, and one line per host for
 * a collector directory, with what the transport did (duplicates, late arrivals) as facts
 * beside the verdict. Pure.
 */
import type { ChainReport } from '../../shared/chain.js';
import type { DamagedFile } from './lines.js';
import type { SealVerdict } from '../../shared/seal.js';
import type { CollectedOrder } from '../../shared/chain-order.js';
import { escapeForTerminal } from '../../shared/sanitize.js';

/** The malformed lines listed on stderr (per chain); the count is always complete. */
export const MAX_LISTED = 1000;

/** One collected host's verdict: its chain in collected order, and how it arrived. */
export interface HostVerdict extends Omit<CollectedOrder, 'lines'> {
  origin: string;
  files: readonly string[];
  report: ChainReport;
  /** Gzip files of the host cut short or corrupt part way: read up to there. */
  damaged: readonly DamagedFile[];
  /** Absent when the seals were not looked at. */
  seal?: SealVerdict;
}

/**
 * What the seals say (not yet escaped): `sealed through seq N at TIME (epoch E); M records
 * after it unsealed`, the first failure, or what was seen without a key. Null for a log
 * without seals and no key.
 */
export function sealSummary(s: SealVerdict): string | null {
  if (s.failure) return `seal failure at ${s.failure.file}:${s.failure.line} (${s.failure.kind}): ${s.failure.message}`;
  const after = `${plural(s.unsealed, 'record')} after it unsealed`;
  if (s.keyed) {
    if (s.last === null) return `not sealed: no seal record, ${plural(s.unsealed, 'record')} unsealed (nothing here is proven by the key)`;
    return `sealed through seq ${s.last.seq} at ${s.last.time} (epoch ${s.last.epoch}, ${plural(s.seals, 'seal')} verified); ${after}`;
  }
  if (s.last === null) return null;
  return `${plural(s.seals, 'seal')}, the last at seq ${s.last.seq}, ${s.last.time} (epoch ${s.last.epoch}); ${after}; not checked: no --verification-key`;
}

export function sealJson(s: SealVerdict): Record<string, unknown> {
  return {
    checked: s.keyed,
    seals: s.seals,
    sealed_through_seq: s.last?.seq ?? null,
    sealed_through_time: s.last?.time ?? null,
    last_epoch: s.last?.epoch ?? null,
    unsealed: s.unsealed,
    failure: s.failure,
    warnings: s.warnings,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `ok: N records, head HASH[; M malformed lines …]` or `break at FILE:LINE (KIND): …` (not yet escaped). An intact
 * chain over a damaged file is no "ok": records past the damage are lost, unchecked.
 */
export function summary(r: ChainReport, damaged: readonly DamagedFile[] = []): string {
  if (r.break) return `break at ${r.break.file}:${r.break.line} (${r.break.kind}): ${r.break.message}`;
  const unchained = r.unchained > 0 ? ` (${plural(r.unchained, 'unchained record')} before the chain, not covered)` : '';
  // Lines the chain was checked past are no break (a torn write is one), but an "ok" that does not
  // count them would let junk put in a log pass unseen by a script reading only this line.
  const malformed = r.malformedCount > 0 ? `; ${plural(r.malformedCount, 'malformed line')} outside the chain (--strict fails on them)` : '';
  const ok = `${plural(r.records, 'record')}, head ${r.head ?? 'none'}${unchained}${malformed}`;
  if (damaged.length === 0) return `ok: ${ok}`;
  return `damaged: ${damaged.map((d) => d.file).join(', ')} lost ${damaged.length === 1 ? 'its' : 'their'} rest; the chain of what was read is intact: ${ok}`;
}

/** A log verified: its chain is intact, no file of it was damaged, and its seals (checked only with a key) hold. */
export const verified = (r: ChainReport, damaged: readonly DamagedFile[], seal?: SealVerdict): boolean => r.ok && damaged.length === 0 && !seal?.failure;

export function reportJson(files: readonly string[], r: ChainReport, damaged: readonly DamagedFile[] = [], seal?: SealVerdict): Record<string, unknown> {
  return {
    ok: verified(r, damaged, seal),
    files,
    records: r.records,
    unchained: r.unchained,
    head: r.head,
    first_seq: r.firstSeq,
    last_seq: r.lastSeq,
    malformed_count: r.malformedCount,
    /** The first MALFORMED_LISTED of them (shared/chain.ts), with file, line and reason. */
    malformed: r.malformed,
    break: r.break,
    /** Gzip files cut short or corrupt part way: their lines up to there were checked, the rest is lost. */
    damaged,
    // Only for a sealed log or a key given: the output of an unsealed log is as it was.
    ...(seal && (seal.keyed || seal.seals > 0) ? { seal: sealJson(seal) } : {}),
  };
}

/** `HOST: ok: …, head HASH (D duplicate lines dropped, L records arrived late)`, escaped. */
export function hostLine(v: HostVerdict): string {
  const facts = v.report.ok ? ` (${plural(v.duplicates, 'duplicate line')} dropped, ${plural(v.lateArrivals, 'record')} arrived late)` : '';
  const seal = v.report.ok && v.seal ? sealSummary(v.seal) : null;
  return escapeForTerminal(`${v.origin}: ${summary(v.report, v.damaged)}${facts}${seal === null ? '' : `; ${seal}`}`);
}

/** Hosts named in the closing line, at most. */
const BROKEN_LISTED = 10;

/** The first hosts of `names`, for a closing line. */
function listed(names: readonly string[]): string {
  return `${names.slice(0, BROKEN_LISTED).join(', ')}${names.length > BROKEN_LISTED ? ', …' : ''}`;
}

/**
 * The closing line: `verified 3 hosts: all ok`, `verified 3 hosts: 1 broken (web2)`, and
 * `, 1 not verified (web4: unreadable)` for a host skipped as not an audit log — a host
 * nobody could check is not "all ok"; nor is one with a damaged file, counted broken. Escaped.
 */
export function fleetLine(verdicts: readonly HostVerdict[], skipped: readonly string[] = []): string {
  const broken = verdicts.filter((v) => !verified(v.report, v.damaged, v.seal)).map((v) => v.origin);
  const head = `verified ${plural(verdicts.length, 'host')}`;
  const unverified = skipped.length > 0 ? `${skipped.length} not verified (${listed(skipped)}: unreadable)` : '';
  if (broken.length === 0) return escapeForTerminal(unverified ? `${head}: ${unverified}` : `${head}: all ok`);
  return escapeForTerminal(`${head}: ${broken.length} broken (${listed(broken)})${unverified ? `, ${unverified}` : ''}`);
}

/** Whether a collector directory verified: every host read was ok, and none was skipped. */
export function fleetOk(verdicts: readonly HostVerdict[], skipped: readonly string[]): boolean {
  return skipped.length === 0 && verdicts.every((v) => verified(v.report, v.damaged, v.seal));
}

export function fleetJson(dirs: readonly string[], verdicts: readonly HostVerdict[], skipped: readonly string[] = []): Record<string, unknown> {
  return {
    ok: fleetOk(verdicts, skipped),
    collector: dirs,
    skipped,
    hosts: verdicts.map((v) => ({
      origin: v.origin,
      ...reportJson(v.files, v.report, v.damaged, v.seal),
      duplicate_lines: v.duplicates,
      late_arrivals: v.lateArrivals,
      max_lateness: v.maxLateness,
    })),
  };
}
