/**
 * Writes N records of demo traffic at full speed with a synthetic clock, through the real
 * writer (so the chain is real). Deterministic for a seed: benchmarks and fixtures use it.
 */
import type { OperatorInfo } from '../shared/schema.js';
import { openAuditLog } from '../writer/audit-log.js';
import { createTraffic, requestTime } from './traffic.js';

export interface GenerateOptions {
  path: string;
  /** Records to write (requests and responses together, approximately: stops at ≥ count). */
  count: number;
  seed?: number;
  /** Wall-clock start of the synthetic traffic, ms since the epoch. */
  startMs?: number;
  /** Mean gap between requests, ms. */
  gapMs?: number;
  /** Leave approved requests with this chance unanswered (still running). */
  runningShare?: number;
  /** Who decided, written as a daemon does on every request (default none: see below). */
  operator?: OperatorInfo;
  /**
   * The demo's detailed traffic model (`createTraffic(seed, { detailed: true })`): escalation,
   * client version, forward_agent, reject kinds with replays, ApprovedAlways and its `policy`
   * record, configuration reloads. Off by default: a seed's bytes stay what they were.
   */
  detailed?: boolean;
}

export function generateLog(options: GenerateOptions): { records: number } {
  let clock = options.startMs ?? Date.parse('2026-11-01T08:00:00Z');
  // No operator unless given whole: one read from this machine would make a seed's bytes differ between machines.
  const log = openAuditLog({ path: options.path, now: () => clock, warn: () => {}, pid: 4242, operator: options.operator ?? false });
  const next = createTraffic(options.seed ?? 1, { detailed: options.detailed === true });
  const gap = options.gapMs ?? 2_000;
  // Completions waiting for their time, kept sorted by due time (small: a few dozen at most).
  const pending: Array<{ due: number; write: () => void }> = [];
  let records = 1; // the writer's start record
  let n = 0;
  const flushUntil = (t: number) => {
    while (pending.length > 0 && pending[0].due <= t) {
      const p = pending.shift() as (typeof pending)[number];
      clock = p.due;
      p.write();
      records++;
    }
  };
  while (records < options.count) {
    n++;
    const arrived = clock + Math.round(((n * 7919) % 1000) / 1000 * gap * 2);
    // (The plain model ignores the time it is given: its sequence is what it was.)
    const s = next(arrived);
    if (s.policyAtArrival) {
      flushUntil(arrived);
      clock = arrived;
      log.policy(s.policyAtArrival);
      records++;
    }
    const decided = arrived + Math.round(s.decideAfterMs);
    flushUntil(decided);
    clock = decided;
    log.request({ ...s.request, time: requestTime(arrived) });
    records++;
    if (s.policyAfterDecision) {
      log.policy(s.policyAfterDecision);
      records++;
    }
    const exec = s.execution;
    if (exec && !(options.runningShare && ((n * 2654435761) >>> 0) / 2 ** 32 < options.runningShare)) {
      const due = decided + exec.durationMs;
      const item = { due, write: () => log.response({ ...exec.response, id: s.request.id, time: new Date(due).toISOString() }) };
      const at = pending.findIndex((p) => p.due > due);
      if (at === -1) pending.push(item);
      else pending.splice(at, 0, item);
    }
    clock = arrived;
  }
  flushUntil(Number.POSITIVE_INFINITY);
  log.close();
  return { records: records + 1 };
}
