/**
 * Owns reading the live (last) file from the tail on: followed, or read to its end once.
 *
 * Followed through rotation and copytruncate: lines read before either stay cited and
 * readable in the file they went to; those a truncation took leave their entries
 * (truncation-loss.ts).
 */
import type { EngineNotice } from '../shared/entry.js';
import type { ChangeBatch } from './change-batch.js';
import type { PooledFile } from './descriptor-pool.js';
import type { EntryStore } from './entry-store.js';
import type { LogSource } from './log-source.js';
import type { FileSpan, FileSpans } from './file-spans.js';
import { type FleetFollow, Follower } from './follower.js';
import { type LineHandler, LineSplitter } from './line-splitter.js';
import { readRange } from './read-file.js';
import type { RecordIntake } from './record-intake.js';
import { findRotatedSet } from './rotated-set.js';
import { settleTruncation } from './truncation-loss.js';

export interface LiveFileReader {
  readonly spans: FileSpans;
  readonly store: EntryStore;
  readonly intake: RecordIntake;
  readonly batch: ChangeBatch;
  /** One of a fleet's many engines. */
  readonly oneOfMany: boolean;
  notice(n: EngineNotice): void;
  /** Bytes read. */
  advance(bytes: number): void;
  /** A followed read reached the end of the file. */
  idle(): void;
  /** The file opened for the tail was truncated (copytruncate): lines counted before it are not its lines now. */
  truncated(): void;
  closed(): boolean;
}

/** Reads `file` (open as `open`; `pooled`: through the fleet's pool, pinned meanwhile) from `start` (line-aligned) to its end, once. */
export async function readLiveToEnd(r: LiveFileReader, file: string, open: LogSource, start: number, pooled: PooledFile | null = null): Promise<void> {
  const lineBase = start === 0 ? 0 : Number.NaN;
  const span = pooled ? r.spans.addPooled(pooled, lineBase) : r.spans.add(file, open.fd, lineBase);
  const splitter = new LineSplitter(r.intake.handler(span, r.intake.live), start, 1);
  await readRange(open.fd, open.size, splitter, { onRead: (n) => r.advance(n), stopped: () => r.closed() });
  splitter.flush();
}

/**
 * A follower of `file` from `start` (line-aligned; `open` is its descriptor, null when it is
 * missing), not started yet: the caller keeps it to stop it.
 */
export function followLiveFile(r: LiveFileReader, file: string, open: LogSource | null, start: number, fleet?: FleetFollow): Follower {
  const lineBase = start === 0 ? 0 : Number.NaN;
  let liveFd = open?.fd ?? -1;
  let current: FileSpan | null = null;
  return new Follower(file, {
    segment: (s) => {
      const first = current === null && s.fd === liveFd;
      let wrap = (next: LineHandler) => next;
      if (s.reason === 'truncated') {
        if (s.fd === open?.fd) r.truncated();
        if (s.truncation) wrap = settleTruncation(r, file, s.fd, s.truncation);
      }
      // Only the live file's newest lines can be cut before the follower looks: only they keep their bytes.
      r.spans.forgetRecent();
      const span = r.spans.add(file, s.fd, first ? lineBase : 0, s.fd !== liveFd || current === null, s.recent ?? null);
      // Lines are cited in the file they are in now (logrotate: audit.log.1, and the copies it
      // made before moved on to .2, …), this segment's too: a file the follower found already
      // rotated away is not at the live path.
      if (s.reason !== 'open' && r.spans.renameMoved(findRotatedSet(file))) r.store.forgetCachedEntries();
      current = span;
      liveFd = s.fd;
      // Through `intake.live` at each line: the joiner changes when the history is merged.
      return wrap(r.intake.liveHandler(span));
    },
    notice: (n) => r.notice(n),
    read: (n) => r.advance(n),
    idle: () => r.idle(),
  }, {
    start: open ? { fd: open.fd, dev: open.dev, ino: open.ino, offset: start } : undefined,
    // One of a fleet's many files keeps less.
    recentBytes: r.oneOfMany ? 32 * 1024 : undefined,
    pollMs: fleet?.pollMs,
    lightWatch: fleet ? { failed: (e) => fleet.watchFailed(file, e) } : undefined,
  });
}
