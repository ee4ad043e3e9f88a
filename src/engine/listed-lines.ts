/**
 * Owns the lines listed beside the entries: malformed lines and writer events.
 *
 * Malformed lines are counted and the latest listed; both are cited as file:line once
 * asked for (a tail's line numbers are known only after its history is read).
 */
import { chainFieldsOf } from '../shared/chain.js';
import type { MalformedLine, WriterEvent } from '../shared/entry.js';
import type { LocatedCompact } from './entry-store.js';
import type { FileSpans } from './file-spans.js';

/** How many malformed lines are listed; all are counted. */
export const MALFORMED_LIST_CAP = 1000;

interface Malformed {
  seg: number;
  line: number;
  offset: number;
  reason: string;
}

export class MalformedLines {
  private readonly list: Malformed[] = [];
  private total = 0;

  add(seg: number, line: number, offset: number, reason: string): void {
    this.total++;
    this.list.push({ seg, line, offset, reason });
    if (this.list.length > MALFORMED_LIST_CAP) this.list.shift();
  }

  count(): number {
    return this.total;
  }

  /** Where the count and the list stand, to go back to with `rewind`. */
  mark(): { total: number; listed: number } {
    return { total: this.total, listed: this.list.length };
  }

  /** Forgets what was added since `mark` (a history pass started over). */
  rewind(to: { total: number; listed: number }): void {
    this.total = to.total;
    this.list.length = Math.min(this.list.length, to.listed);
  }

  cited(spans: FileSpans): MalformedLine[] {
    return this.list.map((m) => ({ file: spans.get(m.seg).file, line: spans.lineNumber(m.seg, m.line), offset: m.offset, reason: m.reason }));
  }
}

type KeptWriterEvent = Pick<WriterEvent, 'event' | 'time' | 'pid' | 'dropped' | 'error' | 'operator' | 'policy'> & {
  seg: number;
  line: number;
  offset: number;
  length: number;
  seq: number | null;
  /** Key (slot) of the first entry placed after it, -1 while none is: its row goes before that entry. */
  next: number;
};

/** What a citing was made from: while it is all the same, so is the citing. */
interface Citing {
  changes: number;
  order: ArrayBufferLike;
  orderOffset: number;
  orderLength: number;
  slots: number;
  origin: string;
  /** Each span's file name and first line number then (what every event's location is read from). */
  spans: Array<{ file: string; lineBase: number }>;
  events: WriterEvent[];
}

export class WriterEventList {
  private readonly shown: KeptWriterEvent[] = [];
  /** Writer events of the history, shown once it is merged. */
  private readonly history: KeptWriterEvent[] = [];
  /** Bumped on every change of the lists (an event added, placed, revealed, taken out). */
  private changes = 0;
  /** The last `cited` answer (a viewer asks on every clock tick; each citing made a slot table as big as the log). */
  private lastCiting: Citing | null = null;

  /** A writer or policy record (`r.writer` set), of the entries shown or of the history read hidden. */
  add(r: LocatedCompact, shown: boolean): void {
    const w = r.writer as NonNullable<LocatedCompact['writer']>;
    const { seg, line, offset, length } = r;
    const at = { seg, line, offset, length, seq: chainFieldsOf(w)?.seq ?? null, next: -1 };
    const kept: KeptWriterEvent =
      w.type === 'policy'
        ? {
            event: 'policy',
            time: w.time,
            pid: 0,
            dropped: 0,
            error: null,
            operator: w.operator ?? null,
            policy: { setting: w.setting, old: w.old, new: w.new, requestId: w.request_id, by: w.by },
            ...at,
          }
        : { event: w.event, time: w.time, pid: w.pid, dropped: w.dropped ?? 0, error: w.error ?? null, ...at };
    if (w.type === 'writer' && w.operator) kept.operator = w.operator;
    (shown ? this.shown : this.history).push(kept);
    this.changes++;
  }

  /** An entry was placed (among those shown, or in the history): the events waiting for their next entry have it. */
  entryPlaced(slot: number, shown: boolean): void {
    const list = shown ? this.shown : this.history;
    for (let i = list.length - 1; i >= 0 && list[i].next === -1; i--) {
      list[i].next = slot;
      this.changes++;
    }
  }

  /** The history is merged: its events go in front (those after its last entry go before the tail's first, `firstTail`; -1: none). */
  revealHistory(firstTail = -1): void {
    for (let i = this.history.length - 1; i >= 0 && this.history[i].next === -1; i--) this.history[i].next = firstTail;
    this.shown.unshift(...this.history);
    this.history.length = 0;
    this.changes++;
  }

  /** The history is read again from its start. */
  dropHistory(): void {
    this.history.length = 0;
    this.changes++;
  }

  /** Events whose line, in one of the spans `segs`, is in no file any more: taken out. Returns how many. */
  withdraw(segs: ReadonlySet<number>, held: (seg: number, offset: number, length: number) => boolean): number {
    let taken = 0;
    for (const list of [this.shown, this.history]) {
      const keep = list.filter((e) => !segs.has(e.seg) || held(e.seg, e.offset, e.length));
      taken += list.length - keep.length;
      list.splice(0, list.length, ...keep);
    }
    this.changes++;
    return taken;
  }

  /**
   * The events shown, in log order, each placed among the entries `order` (positions now) and
   * told whether it is a start after a crash: a start with records before it and no `stop`
   * since the last start (a `dropped` between says nothing either way).
   */
  cited(spans: FileSpans, order: Int32Array, slots: number, origin: string): WriterEvent[] {
    const last = this.lastCiting;
    if (last !== null && this.sameCiting(last, spans, order, slots, origin)) return last.events;
    const events = this.citeAnew(spans, order, slots, origin);
    const citedSpans = spans.list.map(({ file, lineBase }) => ({ file, lineBase }));
    this.lastCiting = { changes: this.changes, order: order.buffer, orderOffset: order.byteOffset, orderLength: order.length, slots, origin, spans: citedSpans, events };
    return events;
  }

  /**
   * Nothing it was made from changed: the lists, the order (an order only grows in place or is
   * replaced: its length and buffer say it), and the spans' file names and line numbers (a
   * rotation renames a file; a tail's line numbers are known once its history is read). Checked
   * span by span, not event by event: a log of 10,000 restarts has 20,000 events and few spans.
   */
  private sameCiting(c: Citing, spans: FileSpans, order: Int32Array, slots: number, origin: string): boolean {
    if (c.changes !== this.changes || c.order !== order.buffer || c.orderOffset !== order.byteOffset || c.orderLength !== order.length || c.slots !== slots || c.origin !== origin) return false;
    const now = spans.list;
    return now.length === c.spans.length && now.every((span, i) => span.file === c.spans[i].file && Object.is(span.lineBase, c.spans[i].lineBase));
  }

  private citeAnew(spans: FileSpans, order: Int32Array, slots: number, origin: string): WriterEvent[] {
    const positions = this.shown.length > 0 ? positionsOf(order, slots) : null;
    let lastLife: 'start' | 'stop' | null = null;
    let previous = 0;
    return this.shown.map(({ seg, line, offset, length, seq, next, ...event }) => {
      let position = next >= 0 && positions !== null && next < positions.length ? positions[next] : -1;
      // (An entry no longer shown, or none after it: after everything shown, never before an earlier event.)
      if (position < 0) position = order.length;
      position = Math.max(previous, Math.min(position, order.length));
      previous = position;
      const afterCrash = event.event === 'start' && (lastLife !== null ? lastLife === 'start' : position > 0);
      if (event.event === 'start' || event.event === 'stop') lastLife = event.event;
      const cited: WriterEvent = { ...event, location: { file: spans.get(seg).file, line: spans.lineNumber(seg, line), offset, length, seq }, origin, position };
      if (event.event === 'start') cited.afterCrash = afterCrash;
      // (The writer's dropped record does not say when the lost records were due.)
      if (event.event === 'dropped') cited.firstTime = cited.lastTime = null;
      if (cited.operator === undefined) delete cited.operator;
      if (cited.policy === undefined) delete cited.policy;
      return cited;
    });
  }
}

/** Slot → position among `order` (-1: not shown), for `slots` slots. */
function positionsOf(order: Int32Array, slots: number): Int32Array {
  const out = new Int32Array(slots).fill(-1);
  for (let p = 0; p < order.length; p++) if (order[p] < slots) out[order[p]] = p;
  return out;
}
