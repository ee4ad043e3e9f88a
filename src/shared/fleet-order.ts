/**
 * Puts one host's collected lines back in chain order. A shipper (rsyslog over RELP) delivers
 * every line but not necessarily in write order — after a retry whole batches arrive late —
 * and sometimes twice (a batch resent after a reconnect, a sender re-reading after a crash).
 * Exact duplicate lines are dropped and counted, the rest ordered by chain epoch then `seq`,
 * and how late lines arrived is measured: facts about the transport, not tampering.
 * `verifyChain` then judges the ordered lines. Pure: callers feed lines in arrival order.
 */
import { type ChainLine, hashLine } from './chain.js';
import { GENESIS_HASH } from './schema.js';

export interface CollectedOrder {
  /** Unique lines in chain order; each keeps the place of its first arrival. */
  lines: ChainLine[];
  /** Lines identical, byte for byte, to one that arrived earlier. */
  duplicates: number;
  /** Unique records that arrived after a record of the same chain with a higher seq. */
  lateArrivals: number;
  /** The largest seq distance by which a record arrived late (0 when all were in order). */
  maxLateness: number;
}

/** A record's chain position, or null for a line that carries none. */
function chainFieldsOf(text: string): { seq: number; prev: string | null } | null {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null) return null;
  const { seq, prev } = obj as { seq?: unknown; prev?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return null;
  return { seq, prev: typeof prev === 'string' ? prev : null };
}

/** A record and the lines without a seq that arrived right after it. */
interface Run {
  seq: number;
  /** Which chain the record belongs to: 0 before any genesis, then one per genesis record. */
  epoch: number;
  prev: string | null;
  genesis: boolean;
  lines: ChainLine[];
}

/**
 * Lines without a seq (torn fragments, garbage, records of another writer) travel with the
 * record that arrived just before them, so `verifyChain` still sees them where they were
 * delivered and can tell an edited or inserted line from a torn one. Records sharing a seq
 * (a forged copy) keep their arrival order.
 *
 * A writer whose log was lost starts a new chain from genesis (seq 1 again). Ordering by seq
 * alone would interleave the two chains; instead each genesis record starts a new epoch (in
 * arrival order) and each record joins the epoch of the record its `prev` names, so a late
 * batch of the older chain still lands in it. A record whose predecessor is missing (a gap, an
 * edit) joins the chain of the record that arrived just before it. `verifyChain` then reports the
 * restart where the new chain begins, instead of records out of order.
 */
export function orderCollected(arrivals: Iterable<ChainLine>): CollectedOrder {
  const seen = new Set<string>();
  /** Runs of lines, each led by a record (or, for the first run, by whatever came first). */
  const runs: Run[] = [{ seq: 0, epoch: -1, prev: null, genesis: false, lines: [] }];
  let duplicates = 0;
  let geneses = 0;
  for (const line of arrivals) {
    if (seen.has(line.text)) {
      duplicates++;
      continue;
    }
    seen.add(line.text);
    const fields = chainFieldsOf(line.text);
    if (fields === null) {
      runs[runs.length - 1].lines.push(line);
      continue;
    }
    const genesis = fields.seq === 1 && fields.prev === GENESIS_HASH;
    if (genesis) geneses++;
    // The epoch current at arrival: the fallback for a record whose predecessor is missing.
    runs.push({ seq: fields.seq, epoch: geneses, prev: fields.prev, genesis, lines: [line] });
  }
  // The usual case, one chain whose genesis arrived first: every record is in epoch 1
  // whether linked or not, so the hashing can be skipped.
  const oneChainFromTheStart = geneses === 1 && runs.length > 1 && runs[1].genesis;
  if (geneses > 0 && !oneChainFromTheStart) linkEpochs(runs);

  // Lateness, in arrival order (runs are still in it), within each chain.
  let lateArrivals = 0;
  let maxLateness = 0;
  const highest = new Map<number, number>();
  for (let i = 1; i < runs.length; i++) {
    const { seq, epoch } = runs[i];
    const top = highest.get(epoch) ?? 0;
    if (seq < top) {
      lateArrivals++;
      maxLateness = Math.max(maxLateness, top - seq);
    } else highest.set(epoch, seq);
  }

  // Array.prototype.sort is stable: equal (epoch, seq) keep their arrival order.
  runs.sort((a, b) => a.epoch - b.epoch || a.seq - b.seq);
  return { lines: runs.flatMap((r) => r.lines), duplicates, lateArrivals, maxLateness };
}

/**
 * Moves each record into the epoch of the chain it continues (see orderCollected). Records are
 * linked to the record their `prev` names, by seq so that a predecessor is linked first; a
 * chain fragment whose first record links to nothing (a gap, an edit, or a start that was never
 * collected) joins the chain of the record that arrived just before it — batches arrive whole —
 * or, failing that, the epoch current when it arrived.
 */
function linkEpochs(runs: Run[]): void {
  let genesisIndex = 0;
  for (const run of runs) if (run.genesis) run.epoch = ++genesisIndex;
  const root = new Map<Run, Run>();
  const runOfHash = new Map<string, Run>();
  for (const run of runs.slice(1).sort((a, b) => a.seq - b.seq)) {
    const before = run.genesis || run.prev === null ? undefined : runOfHash.get(run.prev);
    root.set(run, before === undefined ? run : (root.get(before) as Run));
    runOfHash.set(hashLine(run.lines[0].text), run);
  }
  // Fragments in arrival order: the one before has been placed already, unless it descends
  // from a fragment that arrived later.
  const placed = new Set<Run>();
  for (let i = 1; i < runs.length; i++) {
    const run = runs[i];
    if (root.get(run) !== run) continue;
    if (!run.genesis && i > 1) {
      const neighbour = root.get(runs[i - 1]) as Run;
      if (neighbour.genesis || placed.has(neighbour)) run.epoch = neighbour.epoch;
    }
    placed.add(run);
  }
  for (const run of runs.slice(1)) run.epoch = (root.get(run) as Run).epoch;
}
