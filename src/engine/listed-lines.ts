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

type KeptWriterEvent = Omit<WriterEvent, 'location'> & { seg: number; line: number; offset: number; length: number; seq: number | null };

export class WriterEventList {
  private readonly shown: KeptWriterEvent[] = [];
  /** Writer events of the history, shown once it is merged. */
  private readonly history: KeptWriterEvent[] = [];

  /** A writer record (`r.writer` set), of the entries shown or of the history read hidden. */
  add(r: LocatedCompact, shown: boolean): void {
    const w = r.writer as NonNullable<LocatedCompact['writer']>;
    const { seg, line, offset, length } = r;
    const kept = { event: w.event, time: w.time, pid: w.pid, dropped: w.dropped ?? 0, error: w.error ?? null, seg, line, offset, length, seq: chainFieldsOf(w)?.seq ?? null };
    (shown ? this.shown : this.history).push(kept);
  }

  /** The history is merged: its events go in front. */
  revealHistory(): void {
    this.shown.unshift(...this.history);
    this.history.length = 0;
  }

  /** The history is read again from its start. */
  dropHistory(): void {
    this.history.length = 0;
  }

  /** Events whose line, in one of the spans `segs`, is in no file any more: taken out. Returns how many. */
  withdraw(segs: ReadonlySet<number>, held: (seg: number, offset: number, length: number) => boolean): number {
    let taken = 0;
    for (const list of [this.shown, this.history]) {
      const keep = list.filter((e) => !segs.has(e.seg) || held(e.seg, e.offset, e.length));
      taken += list.length - keep.length;
      list.splice(0, list.length, ...keep);
    }
    return taken;
  }

  cited(spans: FileSpans): WriterEvent[] {
    return this.shown.map(({ seg, line, offset, length, seq, ...event }) => ({
      ...event,
      location: { file: spans.get(seg).file, line: spans.lineNumber(seg, line), offset, length, seq },
    }));
  }
}
