/**
 * Reads what the writer needs from an existing log at open: its last complete line, what
 * follows it, and so the chain head to continue from.
 *
 * Several writer processes may append to one log. One that opens it while another's append is
 * in flight can see that record half-written (Linux makes a write visible page by page), so
 * an incomplete last line is looked at again for a few milliseconds before it is called torn
 * (`readSettledTail`), and the newline that separates a new record from a torn line is written
 * only if the file still ends without one (`endsMidLine`) just before the write.
 */
import fs from 'node:fs';
import { chainFieldsOfLine, hashLine } from '../shared/chain.js';

const CHUNK = 64 * 1024;
/** A line longer than the readers' cap cannot be a record; stop looking past this. */
const MAX_SCAN = 2 * 1024 * 1024 + CHUNK;

export interface TailInfo {
  /** The last complete line (without its newline), or null when there is none. */
  lastLine: Buffer | null;
  /** True when the file does not end in a newline: a crash tore the last append, or only its newline was lost. */
  torn: boolean;
  /** When torn: the bytes after the last newline (null if longer than any line could be). */
  fragment: Buffer | null;
  size: number;
}

/**
 * Reads backwards from the end of an open file to its last complete line. Only a regular file
 * is read: a FIFO or a device swapped in could make a read wait, or never end.
 */
export function readTail(fd: number, fsApi: Pick<typeof fs, 'fstatSync' | 'readSync'> = fs): TailInfo {
  const st = fsApi.fstatSync(fd);
  if (!st.isFile()) throw new Error('not a regular file');
  const size = st.size;
  if (size === 0) return { lastLine: null, torn: false, fragment: null, size };
  const last = Buffer.alloc(1);
  fsApi.readSync(fd, last, 0, 1, size - 1);
  const torn = last[0] !== 0x0a;
  // Find the newline that ends the last complete line, then the one before it.
  const chunks: Buffer[] = [];
  let pos = size;
  let end = -1; // absolute offset of the newline ending the last complete line
  let start = -1; // absolute offset where that line starts
  while (pos > 0 && size - pos < MAX_SCAN) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    fsApi.readSync(fd, buf, 0, len, pos);
    chunks.unshift(buf);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      const abs = pos + i;
      if (end === -1) end = abs;
      else {
        start = abs + 1;
        break;
      }
    }
    if (start !== -1) break;
  }
  const all = Buffer.concat(chunks);
  const fragmentFrom = end === -1 ? (pos === 0 ? 0 : -1) : end + 1;
  const fragment = torn && fragmentFrom !== -1 ? all.subarray(fragmentFrom - pos) : null;
  if (end === -1) return { lastLine: null, torn, fragment, size };
  if (start === -1) {
    if (pos !== 0) return { lastLine: null, torn, fragment, size }; // absurdly long line: not a record
    start = 0;
  }
  return { lastLine: all.subarray(start - pos, end - pos), torn, fragment, size };
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The chain head a line continues from: its seq when it is chained (chainFieldsOf), else 0 —
 * the next record starts a chain at seq 1 — and its hash either way: verify flags a line that
 * is not a record, and accepts unchained records before a chain.
 */
export function headOf(line: Buffer): ChainHead {
  return { seq: chainFieldsOfLine(line.toString('utf8'))?.seq ?? 0, hash: hashLine(line) };
}

/** A JSON object: what verify reads as a record even without its newline. */
function isWholeRecord(fragment: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(fragment.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false; // cut short
  }
}

/**
 * The line a chain continues from: the last complete line, unless the file ends in a whole
 * record that lost only its newline — verify reads that as a record, so the chain goes on from it.
 */
export function lastRecordLine(tail: TailInfo): Buffer | null {
  return tail.fragment !== null && isWholeRecord(tail.fragment) ? tail.fragment : tail.lastLine;
}

/** The file ends in something that is not a record: torn by a crash, or another writer's append not yet complete. */
export const endsIncomplete = (tail: TailInfo): boolean => tail.torn && lastRecordLine(tail) !== tail.fragment;

/**
 * How long in all, at most, opening the log waits for an append in flight to complete: the
 * writer runs inside the daemon and must never hold it up for long. Writing 1 MiB into the
 * page cache takes well under a millisecond, so only a writer descheduled mid-append outlasts
 * this; then the line is reported as torn (a false warning) and `endsMidLine` still keeps the
 * next record off a blank line.
 */
export const SETTLE_MS = 5;
const SETTLE_STEP_MS = 1;

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Sleeps synchronously: the writer's open runs inside a synchronous call from the daemon. */
export const sleepMs = (ms: number): void => {
  Atomics.wait(pause, 0, 0, ms);
};

/**
 * `readTail`, but a last line that is not a record is read again as the file grows, for up to
 * `settleMs` in all, before it is taken for a torn one.
 */
export function readSettledTail(
  fd: number,
  fsApi: Pick<typeof fs, 'fstatSync' | 'readSync'> = fs,
  settleMs = SETTLE_MS,
  sleep: (ms: number) => void = sleepMs,
): TailInfo {
  let tail = readTail(fd, fsApi);
  for (let waited = 0; endsIncomplete(tail) && waited < settleMs; waited += SETTLE_STEP_MS) {
    sleep(SETTLE_STEP_MS);
    if (fsApi.fstatSync(fd).size !== tail.size) tail = readTail(fd, fsApi);
  }
  return tail;
}

/**
 * `endsMidLine`, waiting for up to `settleMs` in all for the file to end in a newline: the
 * fragment a writer found at open may be another writer's append still in flight (descheduled
 * mid-copy past the open's wait, on a loaded machine), which ends in its own newline once it
 * completes; a newline put before ours then would leave a blank line (seen in CI: 4 processes
 * appending records of up to 900 KB). A crash's fragment never completes: it costs the wait once.
 */
export function endsMidLineSettled(fd: number, fsApi: Pick<typeof fs, 'fstatSync' | 'readSync'>, settleMs: number, sleep: (ms: number) => void = sleepMs): boolean {
  let mid = endsMidLine(fd, fsApi);
  for (let waited = 0; mid && waited < settleMs; waited += SETTLE_STEP_MS) {
    sleep(SETTLE_STEP_MS);
    mid = endsMidLine(fd, fsApi);
  }
  return mid;
}

/**
 * True when the file does not end in a newline now, so a record appended must start with one.
 * Checked just before the write, not atomically with it: another writer's record that lands
 * in between ends in its own newline, and ours then leaves a blank line, which readers list as one malformed line.
 * The other order cannot happen (a check that sees a newline is followed only by whole
 * records), except after another writer's short write (disk full) in that instant. On an error,
 * true: a blank line is harmless, a merged one is not.
 */
export function endsMidLine(fd: number, fsApi: Pick<typeof fs, 'fstatSync' | 'readSync'>): boolean {
  try {
    const size = fsApi.fstatSync(fd).size;
    if (size === 0) return false; // truncated (copytruncate): nothing to separate from
    const last = Buffer.alloc(1);
    return fsApi.readSync(fd, last, 0, 1, size - 1) !== 1 || last[0] !== 0x0a;
  } catch {
    return true;
  }
}

/** How far back from the end `lineNearEnd` looks. */
const LINE_SEARCH_BYTES = 1 << 20;

/** Whether the file ends with `line` (whole, newline-terminated) somewhere in its last MiB. */
export function lineNearEnd(fd: number, fsApi: Pick<typeof fs, 'fstatSync' | 'readSync'>, line: string): boolean {
  const size = fsApi.fstatSync(fd).size;
  const length = Math.min(size, LINE_SEARCH_BYTES);
  const buf = Buffer.alloc(length);
  let n = 0;
  while (n < length) {
    const r = fsApi.readSync(fd, buf, n, length - n, size - length + n);
    if (r === 0) break;
    n += r;
  }
  return buf.subarray(0, n).includes(`${line}\n`);
}
