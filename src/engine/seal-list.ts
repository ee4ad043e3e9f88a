/**
 * Owns where the seal records read are: kept, not counted only, so the viewer can check them with
 * a verification key (shared/seal.ts) by reading their lines again. Seals are rare (one per
 * sealing interval), so a plain list; the history's are kept apart until it is merged in front
 * of the tail, as the writer events are (listed-lines.ts).
 *
 * A seal is checked from its line read again, after the chain was checked from the bytes read
 * first: so each seal keeps its line's fingerprint (line-fingerprints.ts), and a line that no
 * longer has it is never given to be checked. Else an intruder lets the engine read a log
 * re-chained after a forged record (its seals' MACs failing), then puts the genuine seal lines
 * back in place: an intact chain and seals that verify, over a forged record.
 */
import type { RecordLocation, SealRecords } from '../shared/entry.js';
import type { FileSpans } from './file-spans.js';
import { fingerprintMatches, type PlacedChange } from './line-fingerprints.js';

interface KeptSeal {
  seg: number;
  line: number;
  offset: number;
  length: number;
  seq: number | null;
  /** The line's fingerprint when it was read. */
  print: number;
}

export class SealList {
  private readonly shown: KeptSeal[] = [];
  /** Seals of the history read hidden, in front of the shown ones once it is merged. */
  private readonly history: KeptSeal[] = [];
  /** Seal lines found changed after they were read (each once): 'modified' breaks of the chain. */
  readonly changed: PlacedChange[] = [];
  /** (Made at first use: a fleet follows thousands of hosts, and an empty Map or Set holds a table of ~140 bytes.) */
  private seen: Set<KeptSeal> | null = null;
  /** Told when a seal line is first found changed (the chain status changed). */
  onChanged: () => void = () => {};

  get count(): number {
    return this.shown.length + this.history.length;
  }

  add(seg: number, line: number, offset: number, length: number, seq: number | null, print: number, shown: boolean): void {
    (shown ? this.shown : this.history).push({ seg, line, offset, length, seq, print });
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
      if (s === undefined) return null;
      // (A copy: readLine hands out its scratch buffer.)
      const check = (bytes: Uint8Array) => fingerprintMatches(s.print, bytes);
      let copy: Uint8Array | null = null;
      const bytes = spans.readLine(s.seg, s.offset, s.length);
      if (bytes !== null && check(bytes)) return Uint8Array.from(bytes);
      const rewritten = bytes !== null;
      // Truncated under a follower that has not looked yet: logrotate's copy holds it.
      const found = spans.readLineTruncated(s.seg, s.offset, s.length, (b) => {
        if (!check(b)) return false;
        copy = Uint8Array.from(b);
        return true;
      });
      if (found !== null) return copy;
      if (rewritten) this.foundChanged(s, locations[i]);
      return null;
    };
    return { origin, locations, ...seqs, line };
  }

  private foundChanged(s: KeptSeal, at: RecordLocation): void {
    this.seen ??= new Set();
    if (this.seen.has(s)) return;
    this.seen.add(s);
    this.changed.push({ file: at.file, line: at.line, entryKey: -1 });
    this.onChanged();
  }
}
