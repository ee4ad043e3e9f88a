/**
 * Follows the live audit log like `tail -F`, safe across rotation: when to look, what happened, reading to end-of-file.
 *
 * The checks use synchronous calls: on a local file a stat or a read of a few records takes
 * microseconds, far less than a round trip through libuv's thread pool on a busy machine.
 *
 * chokidar (inotify, on the directory) says *that* something happened; what happened is always read from the
 * file: every event, a short re-check after the last event (chokidar throttles `change` to
 * one per 50 ms per path and can drop the last one, paulmillr/chokidar#1455) and a slow
 * safety poll all run the same `check`, which reads from the saved offset to end-of-file.
 *
 * Per file it keeps (dev, ino, offset) and the bytes that tell an append from a truncation
 * (followed-file.ts):
 * - size < offset, or the bytes read last changed → copytruncate: what logrotate's copy holds
 *   beyond the offset is read from the copy (truncation-copy.ts finds it), then the file again from 0;
 * - another inode at the path (logrotate `create`) → read the old file to its end through the
 *   descriptor still open, then continue with the new file from 0;
 * - path gone → finish the old file, and any made and rotated away since, then wait for the path.
 * Descriptors are handed to the handler (`segment`), which closes them: the engine re-reads
 * lines by offset after the follower has moved on.
 */
import { type FSWatcher, watch } from 'chokidar';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineNotice } from '../shared/entry.js';
import { monotonicMs } from '../shared/clock.js';
import { FollowedFile } from './followed-file.js';
import { type LineHandler, LineSplitter } from './line-splitter.js';
import { RecentBytes } from './recent-bytes.js';
import { openMissedRotations } from './rotated-set.js';
import { type LogSource, openLogSource } from './log-source.js';
import { pushInSlices, yieldToEventLoop } from './read-file.js';
import { catchUpFromCopy, findCopy, type Truncation } from './truncation-copy.js';

export interface SegmentStart {
  fd: number;
  dev: number;
  ino: number;
  /** Where reading starts (lines before it were read elsewhere, or are being). */
  offset: number;
  /** Why this segment begins. */
  reason: 'open' | 'rotated' | 'truncated';
  /** After a truncation: how far the old file was read, and its copy (to re-read old lines from). */
  truncation?: Truncation;
  /** The last bytes the follower reads from this segment (to read a line back after a truncation took it). */
  recent?: RecentBytes;
}

const FIRST_READ_BYTES = 64 * 1024;
/**
 * One of a fleet's thousands of followers (lightWatch) reads into this much, and goes back to
 * it once caught up: 64 KiB each would be 640 MB for 10,000 hosts.
 */
const LIGHT_READ_BYTES = 4096;
/**
 * The one buffer of that size all light followers read into: a read and the push of its
 * bytes to the splitter are one synchronous step (a read that fills it moves to a buffer of
 * the follower's own before it waits), and nothing keeps the pushed bytes. One each, even
 * carved from Node's 8 KiB slabs, kept ~8 KB a host.
 */
let sharedLightBuffer: Buffer | null = null;

function lightBuffer(): Buffer {
  sharedLightBuffer ??= Buffer.allocUnsafeSlow(LIGHT_READ_BYTES);
  return sharedLightBuffer;
}

/** How a fleet's hosts are followed: a light watch each, and a slow safety poll shared out among them. */
export interface FleetFollow {
  /** Each follower's safety poll. */
  pollMs: number;
  /** A host's directory could not be watched (its poll alone follows it). */
  watchFailed(file: string, error: unknown): void;
  /** A followed host read bytes: its malformed and duplicate counts may have changed, which no event says once it is indexed. */
  read?(): void;
}

export interface FollowerHandler {
  /** A new segment begins; its lines (numbered from 1) go to the handler returned. */
  segment(start: SegmentStart): LineHandler;
  notice(notice: EngineNotice): void;
  /** Bytes read (for progress). */
  read(bytes: number): void;
  /** A read pass reached end-of-file: a point to publish what changed. */
  idle(): void;
}

export interface FollowerOptions {
  /** Continue a file already opened by the caller (its descriptor, identity and offset). */
  start?: Omit<SegmentStart, 'reason'>;
  /** Re-check this long after the last watcher event. */
  recheckMs?: number;
  /** Safety poll. */
  pollMs?: number;
  chunkBytes?: number;
  /** How many of the last bytes read are kept, to read a line back that a truncation took (RecentBytes). */
  recentBytes?: number;
  /**
   * One of a fleet's thousands of followers: the directory is watched with `fs.watch` alone
   * (one inotify watch, libuv's one inotify descriptor shared by all), not a chokidar watcher
   * each. When no watch can be had (watches or descriptors ran out) it is said here, and the
   * safety poll alone follows the file.
   */
  lightWatch?: { failed(error: unknown): void };
}

/**
 * After a rotation the old file is still read for this long: a writer that checks for rotation
 * only now and then (the bundled one: at most once a millisecond) can append a last record to
 * it after the new file has appeared.
 */
const RETIRE_MS = 2000;

/** Appends smaller than this (the usual case: a few records) are indexed in one go. */
const SMALL_READ = 64 * 1024;

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? '';

export function describeOpenError(file: string, e: unknown): string {
  switch (errno(e)) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied reading ${file}: run as the log's owner, or add read permission`;
    case 'EISDIR':
      return `${file} is a directory, not an audit log`;
    case 'ENOENT':
      return `${file} does not exist`;
    default:
      return `cannot read ${file}: ${(e as Error).message}`;
  }
}

export class Follower {
  private current: FollowedFile | null = null;
  /** Rotated-away files still read for a while, with when to stop. */
  private retired: Array<{ cur: FollowedFile; until: number }> = [];
  /** Every file (dev:ino) this follower has read: a rotated file not among them was missed. */
  private readonly seen = new Set<string>();
  private watcher: FSWatcher | fs.FSWatcher | null = null;
  private checking: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private recheckTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private lastNotice = '';
  /** Starts small and grows while reads fill it: a fleet follows hundreds of files that mostly get a line at a time. */
  private buffer: Buffer;
  private readonly maxChunk: number;
  private readonly recheckMs: number;
  private readonly pollMs: number;

  constructor(
    readonly path: string,
    private readonly handler: FollowerHandler,
    private readonly options: FollowerOptions = {},
  ) {
    this.maxChunk = options.chunkBytes ?? 1024 * 1024;
    this.buffer = options.lightWatch && this.maxChunk >= LIGHT_READ_BYTES ? lightBuffer() : Buffer.allocUnsafe(Math.min(FIRST_READ_BYTES, this.maxChunk));
    this.recheckMs = options.recheckMs ?? 60;
    this.pollMs = options.pollMs ?? 500;
  }

  /** Reads what is there now, then watches. Resolves after the first read pass. */
  async start(): Promise<void> {
    const s = this.options.start;
    if (s) this.adopt({ ...s, reason: 'open' });
    // The directory, not the file: creation, rename and deletion of the path are seen at once
    // (a watch on a file that does not exist yet only notices it by polling).
    const target = path.resolve(this.path);
    const dir = path.dirname(target);
    this.pollTimer = setInterval(() => this.check(), this.pollMs);
    this.pollTimer.unref?.();
    if (this.options.lightWatch) {
      this.watchLightly(dir, path.basename(target), this.options.lightWatch);
      await this.check();
      return;
    }
    const watcher = watch(dir, {
      ignoreInitial: true,
      persistent: true,
      depth: 0,
      awaitWriteFinish: false,
      ignored: (p: string) => p !== dir && p !== target,
    });
    const onEvent = () => {
      this.check();
      this.scheduleRecheck();
    };
    this.watcher = watcher;
    watcher.on('all', onEvent);
    // The raw inotify event comes before chokidar's own checks: read at once.
    watcher.on('raw', onEvent);
    watcher.on('error', () => this.check());
    // Appends between the first read and the watch being in place have no event: look again then.
    watcher.on('ready', () => this.check());
    await this.check();
  }

  /** fs.watch on the directory, events for `name` only; on failure the poll alone follows. */
  private watchLightly(dir: string, name: string, light: { failed(error: unknown): void }): void {
    const onEvent = () => {
      this.check();
      this.scheduleRecheck();
    };
    try {
      const watcher = fs.watch(dir, { persistent: true }, (_event, changed) => {
        // (No name: the kernel did not say which; look anyway.)
        if (changed === null || changed === name) onEvent();
      });
      watcher.on('error', (e) => {
        watcher.close();
        if (this.watcher === watcher) this.watcher = null;
        if (!this.stopped) light.failed(e);
      });
      this.watcher = watcher;
    } catch (e) {
      light.failed(e);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.checking?.catch(() => {});
    await this.watcher?.close();
    this.watcher = null;
  }

  /**
   * Where following stands when nothing is in flight — the file read, its identity, how far it
   * was read — or null while a check runs, a rotated-away file is still read, or none is open
   * (a fleet lets a quiet host go to sleep only from here: fleet-engine.ts).
   */
  quietAt(): { dev: number; ino: number; offset: number } | null {
    const cur = this.current;
    if (cur === null || this.checking !== null || this.retired.length > 0 || this.stopped) return null;
    return { dev: cur.dev, ino: cur.ino, offset: cur.splitter.offset };
  }

  /** Runs a check now, or once more after the one in progress. */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      try {
        do {
          this.again = false;
          await this.checkOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.checking = null;
      }
      this.handler.idle();
    })();
    return this.checking;
  }

  private scheduleRecheck(): void {
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      this.check();
    }, this.recheckMs);
    this.recheckTimer.unref?.();
  }

  private say(notice: EngineNotice): void {
    const key = `${notice.kind}:${notice.message}`;
    if (key === this.lastNotice) return;
    this.lastNotice = key;
    this.handler.notice(notice);
  }

  private async checkOnce(): Promise<void> {
    await this.drainRetired();
    let st: fs.Stats;
    try {
      st = fs.statSync(this.path);
    } catch (e) {
      // Rotated away and no new file yet: the writer may have made one and logrotate moved it
      // away too before this check (`nocreate`, two rotations between checks). Read it now,
      // not only once another file appears at the path: until then it may be the last one written.
      if (this.current && (await this.readRotatedAway(null))) {
        this.say({ kind: 'rotated', file: this.path, message: `${this.path} was rotated: reading the new file` });
      }
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.say({ kind: 'waiting', file: this.path, message: `${this.path} does not exist (yet, or rotated away): waiting for it` });
      } else this.say({ kind: 'error', file: this.path, message: describeOpenError(this.path, e) });
      return;
    }
    if (st.isDirectory()) {
      this.say({ kind: 'error', file: this.path, message: describeOpenError(this.path, { code: 'EISDIR' }) });
      return;
    }
    let cur = this.current;
    if (cur && !cur.is(st)) {
      // Rotated (or deleted and re-created): the old file first, to its very end, and any made
      // and rotated away since; each for a little while longer, for a late append.
      await this.readRotatedAway(st);
      this.retire(this.current as FollowedFile);
      this.current = cur = null;
      this.say({ kind: 'rotated', file: this.path, message: `${this.path} was rotated: reading the new file` });
      if (!(await this.open('rotated'))) return;
    } else if (!cur) {
      if (!(await this.open('open'))) return;
    }
    cur = this.current as FollowedFile;
    if (cur.wasTruncated()) {
      this.say({ kind: 'truncated', file: this.path, message: `${this.path} was truncated (copytruncate?): reading it again from the start` });
      const evidence = cur.evidence();
      const copy = findCopy(this.path, evidence);
      // Records written before the copy that were not read yet: in the copy only.
      if (copy) await catchUpFromCopy(copy, cur.splitter, this.buffer === sharedLightBuffer ? Buffer.allocUnsafe(LIGHT_READ_BYTES) : this.buffer, (n) => this.handler.read(n), () => this.stopped);
      const truncation: Truncation = { readEnd: cur.splitter.offset, lastLine: evidence.lastLine, copy };
      const { fd, dev, ino } = cur;
      // (A record the copy caught half-way, held by the old splitter, is in neither file: dropped.)
      cur.startOver((recent) => this.handler.segment({ fd, dev, ino, offset: 0, reason: 'truncated', truncation, recent }));
      // Each truncation is news: the next one must be reported too, not taken for a repeat.
      this.lastNotice = '';
    }
    await this.drain(cur);
  }

  /**
   * The current file is no longer at the path (`live` is there now, or nothing): reads it to its
   * end, then the files the writer made and logrotate moved away before this follower looked,
   * whole and oldest first. The newest file read stays current (the writer may still be
   * appending to it); those before it are retired. True when files were missed.
   */
  private async readRotatedAway(live: fs.Stats | null): Promise<boolean> {
    let cur = this.current as FollowedFile;
    const sinceMs = cur.mtimeMs();
    await this.drain(cur);
    const missed = openMissedRotations(this.path, sinceMs, (st) => this.seen.has(`${st.dev}:${st.ino}`) || (live !== null && st.dev === live.dev && st.ino === live.ino));
    for (const file of missed) {
      this.retire(cur);
      cur = this.adopt({ ...file, offset: 0, reason: 'rotated' });
      await this.drain(cur);
    }
    return missed.length > 0;
  }

  /** Read for a little while longer (a late append), then its last line is final. */
  private retire(cur: FollowedFile): void {
    this.retired.push({ cur, until: monotonicMs() + RETIRE_MS });
  }

  private adopt(s: SegmentStart): FollowedFile {
    this.seen.add(`${s.dev}:${s.ino}`);
    const recent = new RecentBytes(this.options.recentBytes);
    this.current = new FollowedFile(s.fd, s.dev, s.ino, new LineSplitter(this.handler.segment({ ...s, recent }), s.offset, 1), recent);
    return this.current;
  }

  /** Rotated-away files: read what was appended late; past their time, their last line is final. */
  private async drainRetired(): Promise<void> {
    if (this.retired.length === 0) return;
    const now = monotonicMs();
    for (const r of this.retired) {
      await this.drain(r.cur);
      if (now >= r.until) r.cur.splitter.flush();
    }
    this.retired = this.retired.filter((r) => now < r.until);
  }

  private async open(reason: SegmentStart['reason']): Promise<boolean> {
    let source: LogSource;
    try {
      source = openLogSource(this.path);
    } catch (e) {
      if (errno(e) === 'ENOENT') this.say({ kind: 'waiting', file: this.path, message: `${this.path} does not exist (yet, or rotated away): waiting for it` });
      else this.say({ kind: 'error', file: this.path, message: describeOpenError(this.path, e) });
      return false;
    }
    this.lastNotice = '';
    this.adopt({ fd: source.fd, dev: source.dev, ino: source.ino, offset: 0, reason });
    return true;
  }

  /** Reads from the offset to end-of-file. */
  private async drain(cur: FollowedFile): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const buf = this.buffer;
      let n: number;
      try {
        n = cur.readAt(buf);
      } catch (e) {
        this.say({ kind: 'error', file: this.path, message: describeOpenError(this.path, e) });
        return;
      }
      if (n === 0) {
        if (this.options.lightWatch && buf.length > LIGHT_READ_BYTES) this.buffer = lightBuffer();
        return;
      }
      const chunk = buf.subarray(0, n);
      if (n < SMALL_READ) cur.splitter.push(chunk);
      else await pushInSlices(cur.splitter, chunk);
      this.handler.read(n);
      // Let the event loop breathe between chunks of a large read, read in bigger ones.
      if (n === buf.length) {
        if (buf.length < this.maxChunk) this.buffer = Buffer.allocUnsafe(Math.min(this.maxChunk, buf.length * 4));
        await yieldToEventLoop();
      }
    }
  }
}
