/**
 * Owns what a truncation of the followed file took: records in no file any more, out of the entries and counted.
 *
 * After logrotate's copytruncate, the lines read before it are re-read from the copy. Records
 * appended between the copy and the truncate are in neither file: those the follower had read
 * are taken out of their entries (entry-store.ts `withdraw`) — an entry is never shown with a
 * part no file holds — and those it never read are counted by the chain, when the first record
 * after the truncate shows how far its seq jumped. Each is one `lost` notice: how many records,
 * which bytes or seqs, and in which file they were.
 */
import type { EngineNotice } from '../shared/entry.js';
import type { ChangeBatch } from './change-batch.js';
import type { EntryStore } from './entry-store.js';
import type { FileSpans } from './file-spans.js';
import type { LineHandler } from './line-splitter.js';
import type { RecordIntake } from './record-intake.js';
import { lastSeqBefore, seqOf, type Truncation } from './truncation-copy.js';

/** What settling a truncation works on. */
export interface TruncationScene {
  readonly spans: FileSpans;
  readonly store: EntryStore;
  readonly intake: RecordIntake;
  readonly batch: ChangeBatch;
  notice(n: EngineNotice): void;
}

const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

/**
 * `file`, open as `fd`, was truncated (`t`): its lines so far are read from the copy now, those
 * past the copy are withdrawn and reported. Returns how to wrap the lines read from it next:
 * the first of them says, by its seq, how many records were never read.
 */
export function settleTruncation(scene: TruncationScene, file: string, fd: number, t: Truncation): (next: LineHandler) => LineHandler {
  const { spans, store, intake } = scene;
  const copyEnd = t.copy?.size ?? 0;
  const copyName = t.copy?.file ?? null;
  // The chain's last record on disk before the truncate (read before the copy's descriptor is handed on).
  const lastInCopy = t.copy ? lastSeqBefore(t.copy.fd, t.copy.size) : null;
  const lastLineGone = t.lastLine !== null && t.lastLine.offset + t.lastLine.bytes.length > copyEnd;
  const lastRead = lastLineGone ? seqOf((t.lastLine as NonNullable<Truncation['lastLine']>).bytes) : null;

  const stale = new Set(spans.truncated(fd, t.copy).map((s) => s.id));
  let withdrawn = 0;
  if (stale.size > 0) {
    const held = (seg: number, offset: number, length: number) => spans.holds(seg, offset, length);
    const w = store.withdraw(stale, held);
    const { ids, joiner } = intake.live;
    for (const slot of w.dropped) {
      const hash = store.idHash(slot);
      if (ids.get(hash) === slot) ids.put(hash, -1); // a response still to come is an orphan's
    }
    for (const slot of w.reopened) joiner.reopen(slot);
    scene.batch.removed(w.droppedPositions, w.visibleBefore);
    withdrawn = w.records + intake.writers.withdraw(stale, held);
    intake.seals.withdraw(stale, held);
    store.forgetCachedEntries();
    scene.batch.schedule();
  }
  if (withdrawn > 0) {
    const where = copyName
      ? `after logrotate copied it to ${copyName}: ${records(withdrawn)} read from it since (bytes ${copyEnd}–${t.readEnd}) are in neither file`
      : `and no copy of it was found: the ${records(withdrawn)} read from it (bytes 0–${t.readEnd}) are in no file now`;
    scene.notice({ kind: 'lost', file, records: withdrawn, message: `${file} was truncated ${where}; entries keep only what a file still holds` });
  }

  // The last seq known to have been written before the truncate: the copy's last record, or
  // the last one read past it (or, when that is no record, as many further as were withdrawn).
  let lastKnown = lastRead ?? (lastInCopy === null ? null : lastInCopy + withdrawn);
  if (lastInCopy !== null && lastKnown !== null) lastKnown = Math.max(lastKnown, lastInCopy);
  return (next) => {
    if (lastKnown === null) return next;
    let first = true;
    return {
      line(buf, start, end, offset, line) {
        if (first) {
          first = false;
          const seq = seqOf(buf.subarray(start, end));
          const known = lastKnown as number;
          if (seq !== null && seq > known + 1) {
            const n = seq - known - 1;
            const range = n === 1 ? `seq ${known + 1}` : `seq ${known + 1}–${seq - 1}`;
            scene.notice({ kind: 'lost', file, records: n, message: `${file} was truncated: ${records(n)} written before it (${range}) are in neither it nor ${copyName ?? 'a copy'}, never read` });
          }
        }
        next.line(buf, start, end, offset, line);
      },
      overCap: (offset, line, length, nulOnly) => next.overCap(offset, line, length, nulOnly),
    };
  };
}
