/**
 * Owns where the seal records read are: kept, not counted only, so the viewer can check them with
 * a verification key (shared/seal.ts) by reading their lines again. Seals are rare (one per
 * sealing interval), so a plain list; the history's are kept apart until it is merged in front
 * of the tail, as the writer events are (listed-lines.ts).
 */
import type { RecordLocation, SealRecords } from '../shared/entry.js';
import type { FileSpans } from './file-spans.js';

interface KeptSeal {
  seg: number;
  line: number;
  offset: number;
  length: number;
  seq: number | null;
}

export class SealList {
  private readonly shown: KeptSeal[] = [];
  /** Seals of the history read hidden, in front of the shown ones once it is merged. */
  private readonly history: KeptSeal[] = [];

  get count(): number {
    return this.shown.length + this.history.length;
  }

  add(seg: number, line: number, offset: number, length: number, seq: number | null, shown: boolean): void {
    (shown ? this.shown : this.history).push({ seg, line, offset, length, seq });
  }

  /** The history is merged: its seals go in front. */
  revealHistory(): void {
    this.shown.unshift(...this.history);
    this.history.length = 0;
  }

  /** The history is read again from its start. */
  dropHistory(): void {
    this.history.length = 0;
  }

  /** Seals whose line, in one of the spans `segs`, is in no file any more: taken out. */
  withdraw(segs: ReadonlySet<number>, held: (seg: number, offset: number, length: number) => boolean): void {
    for (const list of [this.shown, this.history]) {
      const keep = list.filter((s) => !segs.has(s.seg) || held(s.seg, s.offset, s.length));
      list.splice(0, list.length, ...keep);
    }
  }

  /** In log order (the history's first while it is read hidden), each line readable again. */
  cited(spans: FileSpans, origin: string, seqs: { firstSeq: number | null; lastSeq: number | null }): SealRecords {
    const kept = [...this.history, ...this.shown];
    const locations: RecordLocation[] = kept.map((s) => ({ file: spans.get(s.seg).file, line: spans.lineNumber(s.seg, s.line), offset: s.offset, length: s.length, seq: s.seq }));
    const line = (i: number): Uint8Array | null => {
      const s = kept[i];
      const bytes = s === undefined ? null : spans.readLine(s.seg, s.offset, s.length);
      // (A copy: readLine hands out its scratch buffer.)
      return bytes === null ? null : Uint8Array.from(bytes);
    };
    return { origin, locations, ...seqs, line };
  }
}
