/**
 * Puts one host's collected lines back in chain order. A shipper (rsyslog over RELP) delivers
 * every line but not necessarily in write order — after a retry whole batches arrive late —
 * and sometimes twice (a batch resent after a reconnect, a sender re-reading after a crash).
 * Exact duplicate lines are dropped and counted, the rest ordered by chain epoch then `seq`,
 * and how late lines arrived is measured: facts about the transport, not tampering.
 * `verifyChain` then judges the ordered lines.
 *
 * In two passes, so a host of millions of records is ordered in bounded memory:
 * `planCollectedOrder` reads the lines in arrival order and keeps per line only its chain
 * fields and SHA-256 (about 100 bytes), and `inPlanOrder` reads them again and hands them on in
 * chain order, holding a bounded number of the lines that arrived before their turn. Pure:
 * callers feed lines.
 */
import { hash } from 'node:crypto';
import { type ChainLine, chainFieldsOfLine, copyOf } from './chain.js';
import { GENESIS_HASH } from './format-constants.js';

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

/** Where each line goes: what `inPlanOrder` needs for the second pass. */
export interface CollectedPlan {
  /** Arrival indices of the unique lines, in chain order. */
  order: Int32Array;
  /** Per arrival index: the line's length, to notice files that changed between the passes. */
  lengths: Int32Array;
  duplicates: number;
  lateArrivals: number;
  maxLateness: number;
}

const DIGEST = 32;
const CHAINED = 1;
const GENESIS = 2;
const DUPLICATE = 4;
/**
 * Never a duplicate: a blank line, or one over the cap (its bytes never read: the reader hands
 * one placeholder for all). Alike by their bytes, nothing says one was resent; dropped as such, a
 * record blanked in place read as a deletion (an attacker's review).
 */
const NO_COPIES = 8;

/** Per-line facts of the first pass, in growable typed arrays. */
class Arrivals {
  count = 0;
  seq = new Float64Array(1024);
  flags = new Uint8Array(1024);
  lengths = new Int32Array(1024);
  /** Each line's SHA-256, and the one its `prev` names, 32 bytes per line. */
  digests = Buffer.alloc(1024 * DIGEST);
  prevs = Buffer.alloc(1024 * DIGEST);

  add(line: ChainLine): void {
    if (this.count === this.seq.length) this.grow();
    const i = this.count++;
    const { text, known } = line;
    this.lengths[i] = text.length;
    if (text.length === 0 || line.unreadable !== undefined) this.flags[i] = NO_COPIES;
    if (known?.kind === 'chained') {
      // What the reader found in these very bytes (verify's native scanner): its SHA-256 and chain fields, as below.
      this.digests.write(known.hash, i * DIGEST, DIGEST, 'hex');
      this.seq[i] = known.seq;
      this.prevs.write(known.prev, i * DIGEST, DIGEST, 'hex');
      this.flags[i] = known.seq === 1 && known.prev === GENESIS_HASH ? CHAINED | GENESIS : CHAINED;
      return;
    }
    hash('sha256', text, 'buffer').copy(this.digests, i * DIGEST);
    const fields = chainFieldsOfLine(text);
    if (fields === null) {
      this.seq[i] = Number.NaN;
      return;
    }
    this.seq[i] = fields.seq;
    this.prevs.write(fields.prev, i * DIGEST, DIGEST, 'hex');
    this.flags[i] = fields.seq === 1 && fields.prev === GENESIS_HASH ? CHAINED | GENESIS : CHAINED;
  }

  digestKey(i: number): string {
    return this.digests.toString('latin1', i * DIGEST, (i + 1) * DIGEST);
  }

  prevKey(i: number): string {
    return this.prevs.toString('latin1', i * DIGEST, (i + 1) * DIGEST);
  }

  sameDigest(a: number, b: number): boolean {
    return this.digests.compare(this.digests, b * DIGEST, (b + 1) * DIGEST, a * DIGEST, (a + 1) * DIGEST) === 0;
  }

  private grow(): void {
    const n = this.seq.length * 2;
    const seq = new Float64Array(n);
    seq.set(this.seq);
    const flags = new Uint8Array(n);
    flags.set(this.flags);
    const lengths = new Int32Array(n);
    lengths.set(this.lengths);
    const digests = Buffer.alloc(n * DIGEST);
    this.digests.copy(digests);
    const prevs = Buffer.alloc(n * DIGEST);
    this.prevs.copy(prevs);
    Object.assign(this, { seq, flags, lengths, digests, prevs });
  }
}

/**
 * Marks lines identical to an earlier one, byte for byte (the same SHA-256), and returns how
 * many. A resent record has the seq of its original, so records are compared within a seq;
 * lines without one (rare) by digest.
 */
function markDuplicates(a: Arrivals): number {
  let duplicates = 0;
  const chained: number[] = [];
  const unchained = new Set<string>();
  for (let i = 0; i < a.count; i++) {
    if (a.flags[i] & CHAINED) chained.push(i);
    else if (!(a.flags[i] & NO_COPIES)) {
      const key = a.digestKey(i);
      if (unchained.has(key)) {
        a.flags[i] |= DUPLICATE;
        duplicates++;
      } else unchained.add(key);
    }
  }
  chained.sort((x, y) => a.seq[x] - a.seq[y] || x - y);
  for (let g = 0; g < chained.length; ) {
    let end = g + 1;
    while (end < chained.length && a.seq[chained[end]] === a.seq[chained[g]]) end++;
    for (let j = g + 1; j < end; j++) {
      for (let k = g; k < j; k++) {
        if (!(a.flags[chained[k]] & DUPLICATE) && a.sameDigest(chained[k], chained[j])) {
          a.flags[chained[j]] |= DUPLICATE;
          duplicates++;
          break;
        }
      }
    }
    g = end;
  }
  return duplicates;
}

/**
 * Runs: a record and the lines without a seq that arrived right after it (torn fragments,
 * garbage, records of another writer). They travel together, so `verifyChain` still sees
 * such lines where they were delivered and can tell an edited or inserted line from a torn
 * one. Run 0 holds what came before the first record. Records sharing a seq (a forged copy)
 * keep their arrival order.
 */
interface Runs {
  count: number;
  /** Arrival index of the run's record (run 0: -1). */
  leader: Int32Array;
  seq: Float64Array;
  /** Which chain: 0 before any genesis, then one per genesis record (run 0: -1). */
  epoch: Int32Array;
}

function runsOf(a: Arrivals): { runs: Runs; geneses: number } {
  const runs: Runs = { count: 1, leader: new Int32Array(a.count + 1), seq: new Float64Array(a.count + 1), epoch: new Int32Array(a.count + 1) };
  runs.leader[0] = -1;
  runs.epoch[0] = -1;
  let geneses = 0;
  for (let i = 0; i < a.count; i++) {
    const flags = a.flags[i];
    if (!(flags & CHAINED) || flags & DUPLICATE) continue;
    if (flags & GENESIS) geneses++;
    const r = runs.count++;
    runs.leader[r] = i;
    runs.seq[r] = a.seq[i];
    // The epoch current at arrival: the fallback for a record whose predecessor is missing.
    runs.epoch[r] = geneses;
  }
  return { runs, geneses };
}

/**
 * A writer whose log was lost starts a new chain from genesis (seq 1 again). Ordering by seq
 * alone would interleave the two chains; instead each genesis record starts a new epoch (in
 * arrival order) and each record joins the epoch of the record its `prev` names, so a late
 * batch of the older chain still lands in it. A chain fragment whose first record links to
 * nothing (a gap, an edit, or a start that was never collected) joins the chain of the record
 * that arrived just before it — batches arrive whole — or, failing that, the epoch current
 * when it arrived. `verifyChain` then reports the restart where the new chain begins, instead
 * of records out of order.
 */
function linkEpochs(a: Arrivals, runs: Runs): void {
  const isGenesis = (r: number) => r > 0 && (a.flags[runs.leader[r]] & GENESIS) !== 0;
  let genesisIndex = 0;
  for (let r = 1; r < runs.count; r++) if (isGenesis(r)) runs.epoch[r] = ++genesisIndex;
  const root = new Int32Array(runs.count);
  const runOfHash = new Map<string, number>();
  // By seq, so that a predecessor is linked first.
  const bySeq = Array.from({ length: runs.count - 1 }, (_, k) => k + 1).sort((x, y) => runs.seq[x] - runs.seq[y] || x - y);
  for (const r of bySeq) {
    const i = runs.leader[r];
    const before = isGenesis(r) ? undefined : runOfHash.get(a.prevKey(i));
    root[r] = before === undefined ? r : root[before];
    runOfHash.set(a.digestKey(i), r);
  }
  // Fragments in arrival order: the one before has been placed already, unless it descends
  // from a fragment that arrived later.
  const placed = new Uint8Array(runs.count);
  for (let r = 1; r < runs.count; r++) {
    if (root[r] !== r) continue;
    if (!isGenesis(r) && r > 1) {
      const neighbour = root[r - 1];
      if (isGenesis(neighbour) || placed[neighbour]) runs.epoch[r] = runs.epoch[neighbour];
    }
    placed[r] = 1;
  }
  for (let r = 1; r < runs.count; r++) runs.epoch[r] = runs.epoch[root[r]];
}

/** First pass: where every line goes, and what the transport did (duplicates, lateness). */
export function planCollectedOrder(arrivals: Iterable<ChainLine>): CollectedPlan {
  const a = new Arrivals();
  for (const line of arrivals) a.add(line);
  const duplicates = markDuplicates(a);
  const { runs, geneses } = runsOf(a);
  // The usual case, one chain whose genesis arrived first: every record is in epoch 1 whether
  // linked or not, so the linking can be skipped.
  const oneChainFromTheStart = geneses === 1 && runs.count > 1 && (a.flags[runs.leader[1]] & GENESIS) !== 0;
  if (geneses > 0 && !oneChainFromTheStart) linkEpochs(a, runs);

  // Lateness, in arrival order (runs are still in it), within each chain.
  let lateArrivals = 0;
  let maxLateness = 0;
  const highest = new Map<number, number>();
  let inOrder = true;
  for (let r = 1; r < runs.count; r++) {
    const seq = runs.seq[r];
    const epoch = runs.epoch[r];
    const top = highest.get(epoch) ?? 0;
    if (seq < top) {
      lateArrivals++;
      maxLateness = Math.max(maxLateness, top - seq);
    } else highest.set(epoch, seq);
    if (r > 1 && (epoch < runs.epoch[r - 1] || (epoch === runs.epoch[r - 1] && seq < runs.seq[r - 1]))) inOrder = false;
  }

  // Equal (epoch, seq) keep their arrival order.
  const sorted = Array.from({ length: runs.count }, (_, r) => r);
  if (!inOrder) sorted.sort((x, y) => runs.epoch[x] - runs.epoch[y] || runs.seq[x] - runs.seq[y] || x - y);
  const order = new Int32Array(a.count - duplicates);
  let k = 0;
  for (const r of sorted) {
    const start = r === 0 ? 0 : runs.leader[r];
    const end = r + 1 < runs.count ? runs.leader[r + 1] : a.count;
    for (let i = start; i < end; i++) if (!(a.flags[i] & DUPLICATE)) order[k++] = i;
  }
  return { order, lengths: a.lengths.slice(0, a.count), duplicates, lateArrivals, maxLateness };
}

/** The files changed between the two passes (a collector still writing, or rotating). */
export class CollectedFilesChanged extends Error {
  constructor(where: string) {
    super(`${where} changed while it was being verified (a collector still writing or rotating?); run verify again`);
    this.name = 'CollectedFilesChanged';
  }
}

/** Characters of early lines `inPlanOrder` holds at most (about 32 MB of a log's ASCII). */
export const HOLD_CHARS = 32 * 1024 * 1024;

/**
 * Second pass: the same lines, read again in arrival order, handed on in the plan's order.
 * Of the lines that arrived before their turn it holds those due soonest, about `holdChars`
 * of them; the others it lets go and reads again (`read` starts over) once their turn comes,
 * so even a batch delivered at the very end costs a few more reads, not memory. Lines past the plan
 * (appended since the first pass) are left out; lines that differ from the first pass, or
 * are gone, end it with CollectedFilesChanged.
 */
export function* inPlanOrder(plan: CollectedPlan, read: () => Iterable<ChainLine>, holdChars = HOLD_CHARS): Generator<ChainLine> {
  const { order, lengths } = plan;
  /** Arrival index → its place in the order, -1 for a line left out (a duplicate). */
  const rank = new Int32Array(lengths.length).fill(-1);
  order.forEach((i, k) => {
    rank[i] = k;
  });
  // Only lines due within a window after the next one are held (the ones a read can hand on
  // soonest): about holdChars of them, by the plan's mean line length, and never over twice that.
  let total = 0;
  for (const i of order) total += lengths[i];
  const window = Math.max(1, Math.floor(holdChars / Math.max(1, total / Math.max(1, order.length))));
  let next = 0;
  while (next < order.length) {
    const early = new Map<number, ChainLine>();
    let held = 0;
    const before = next;
    let i = 0;
    for (const line of read()) {
      if (i >= lengths.length) break;
      // The last line may have been half written then (a collector mid-write): it may only grow.
      const grew = i === lengths.length - 1 && line.text.length > lengths[i];
      if (line.text.length !== lengths[i] && !grew) throw new CollectedFilesChanged(`${line.file}:${line.line}`);
      const k = rank[i++];
      if (k === next) {
        next++;
        yield line;
        for (let h = early.get(next); h !== undefined; h = early.get(next)) {
          early.delete(next++);
          held -= h.text.length;
          yield h;
        }
        if (next === order.length) break; // the rest were handed on already, or are duplicates
      } else if (k > next && k - next <= window && held + line.text.length <= 2 * holdChars) {
        // A copy (not a Buffer's `slice`, a view): a line read from a file is a view of a read
        // buffer, which the reader reuses (read-file-sync.ts) and which would be kept whole.
        early.set(k, { ...line, text: copyOf(line.text) });
        held += line.text.length;
      }
    }
    // A read that reached neither the line due next nor the end of the plan: the files shrank.
    if (next === before || (i < lengths.length && next < order.length)) throw new CollectedFilesChanged('a file');
  }
}

/** Both passes over lines held in memory (tests, small inputs). */
export function orderCollected(arrivals: Iterable<ChainLine>): CollectedOrder {
  // Each copied as it comes: a line read from a file is a view of a buffer its reader reads into again.
  const lines = Array.from(arrivals, (line) => ({ ...line, text: copyOf(line.text) }));
  const plan = planCollectedOrder(lines);
  return { lines: [...inPlanOrder(plan, () => lines)], duplicates: plan.duplicates, lateArrivals: plan.lateArrivals, maxLateness: plan.maxLateness };
}
