/**
 * Puts one host's collected lines back in chain order. A shipper (rsyslog over RELP) delivers
 * every line but not necessarily in write order — after a retry whole batches arrive late —
 * and sometimes twice (a batch resent after a reconnect, a sender re-reading after a crash).
 * Exact duplicate lines are dropped and counted, the rest ordered by `seq`, and how late
 * lines arrived is measured: facts about the transport, not tampering. `verifyChain` then
 * judges the ordered lines. Pure: callers feed lines in arrival order.
 */
import type { ChainLine } from './chain.js';

export interface CollectedOrder {
  /** Unique lines in chain order; each keeps the place of its first arrival. */
  lines: ChainLine[];
  /** Lines identical, byte for byte, to one that arrived earlier. */
  duplicates: number;
  /** Unique records that arrived after a record with a higher seq. */
  lateArrivals: number;
  /** The largest seq distance by which a record arrived late (0 when all were in order). */
  maxLateness: number;
}

/** The line's `seq` when it is a record carrying a chain position, else null. */
function seqOf(text: string): number | null {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null) return null;
  const seq = (obj as { seq?: unknown }).seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

/**
 * Lines without a seq (torn fragments, garbage, records of another writer) travel with the
 * record that arrived just before them, so `verifyChain` still sees them where they were
 * delivered and can tell an edited or inserted line from a torn one. Records sharing a seq
 * (a forged copy, or a second chain after a restart from genesis) keep their arrival order.
 */
export function orderCollected(arrivals: Iterable<ChainLine>): CollectedOrder {
  const seen = new Set<string>();
  /** Runs of lines, each led by a record (or, for the first run, by whatever came first). */
  const runs: Array<{ seq: number; lines: ChainLine[] }> = [{ seq: 0, lines: [] }];
  let duplicates = 0;
  let lateArrivals = 0;
  let maxLateness = 0;
  let highest = 0;
  for (const line of arrivals) {
    if (seen.has(line.text)) {
      duplicates++;
      continue;
    }
    seen.add(line.text);
    const seq = seqOf(line.text);
    if (seq === null) {
      runs[runs.length - 1].lines.push(line);
      continue;
    }
    if (seq < highest) {
      lateArrivals++;
      maxLateness = Math.max(maxLateness, highest - seq);
    } else highest = seq;
    runs.push({ seq, lines: [line] });
  }
  // Array.prototype.sort is stable: equal seqs keep their arrival order.
  runs.sort((a, b) => a.seq - b.seq);
  return { lines: runs.flatMap((r) => r.lines), duplicates, lateArrivals, maxLateness };
}
