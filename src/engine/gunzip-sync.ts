/**
 * Decompresses a gzip source chunk by chunk *synchronously*, in bounded memory. verifyChain
 * pulls lines from a synchronous iterable, and node:zlib has no synchronous streaming API
 * (gunzipSync needs the whole file, and a rotated month can be gigabytes once inflated). So a
 * worker runs the ordinary streaming gunzip and hands over one chunk at a time through shared
 * memory; this thread blocks on Atomics.wait until the next chunk is there.
 *
 * The worker reads the source's descriptor (descriptors belong to the process, not a thread;
 * only the thread that opened one may close it without a warning). It reads synchronously, so
 * a read is never in flight behind its back, and this thread closes the descriptor only once
 * the worker reads no more: after its last hand-over, or once it acknowledged a cancel.
 */
import { closeLogSource, type LogSource } from './log-source.js';

/** Bytes per hand-over: large enough to amortise the thread switch. */
const CAPACITY = 1 << 20;
/** No progress from the worker for this long means it died (it always reports errors). */
const STALL_MS = 120_000;

// control[0]: who may act; control[1]: bytes in `data`.
const EMPTY = 0; // the worker may fill
const FULL = 1; // the reader may take
const END = 2; // no more data; the worker reads no more
const FAILED = 3; // `data` holds an error message; the worker reads no more
const CANCELLED = 4; // the reader stopped early
const STOPPED = 5; // the worker acknowledged the cancel: it reads no more

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
const [EMPTY, FULL, END, FAILED, CANCELLED, STOPPED] = [${EMPTY}, ${FULL}, ${END}, ${FAILED}, ${CANCELLED}, ${STOPPED}];
const control = new Int32Array(workerData.control);
const data = new Uint8Array(workerData.data);
const gunzip = zlib.createGunzip();
const input = Buffer.allocUnsafe(256 * 1024);
let position = 0;
let reading = true;
function stop() {
  reading = false;
  Atomics.store(control, 0, STOPPED);
  Atomics.notify(control, 0);
  process.exit(0);
}
function waitEmpty() {
  for (;;) {
    const state = Atomics.load(control, 0);
    if (state === EMPTY) return true;
    if (state === CANCELLED) return false;
    Atomics.wait(control, 0, state);
  }
}
function hand(state, bytes) {
  data.set(bytes.subarray(0, data.length));
  control[1] = Math.min(bytes.length, data.length);
  // From EMPTY only: the reader may have cancelled meanwhile.
  if (Atomics.compareExchange(control, 0, EMPTY, state) !== EMPTY) stop();
  Atomics.notify(control, 0);
}
function finish(state, bytes) {
  reading = false;
  if (!waitEmpty()) stop();
  hand(state, bytes);
  process.exit(0);
}
const fail = (e) => finish(FAILED, Buffer.from(String(e && e.code ? e.code + ': ' + e.message : e)));
function pump() {
  while (reading) {
    if (Atomics.load(control, 0) === CANCELLED) return stop();
    let n;
    try {
      n = fs.readSync(workerData.fd, input, 0, input.length, position);
    } catch (e) {
      return fail(e);
    }
    if (n === 0) {
      reading = false;
      gunzip.end();
      return;
    }
    position += n;
    if (!gunzip.write(Buffer.from(input.subarray(0, n)))) return void gunzip.once('drain', pump);
  }
}
gunzip.on('error', fail);
gunzip.on('data', (chunk) => {
  for (let at = 0; at < chunk.length; at += data.length) {
    if (!waitEmpty()) return stop();
    hand(FULL, chunk.subarray(at, at + data.length));
  }
});
gunzip.on('end', () => finish(END, Buffer.alloc(0)));
pump();
`;

/** The decompressed content of a gzip source, in chunks; throws the gunzip or read error. Takes the source over: closed at the end, or when the caller stops. */
export function* gunzipChunksSync(source: LogSource): Generator<Buffer> {
  const control = new SharedArrayBuffer(8);
  const data = new SharedArrayBuffer(CAPACITY);
  const state = new Int32Array(control);
  // Loaded here, not imported: only gzip files need it (#17: start-up).
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd: source.fd, control, data } });
  worker.unref();
  let stalled = false;
  try {
    for (;;) {
      if (!waitWhile(state, EMPTY, STALL_MS)) {
        stalled = true;
        throw new Error('decompression stalled');
      }
      const now = Atomics.load(state, 0);
      const bytes = Buffer.from(new Uint8Array(data, 0, state[1])); // a copy: the buffer is reused
      if (now === END) return;
      if (now === FAILED) {
        const message = bytes.toString();
        const code = /^([A-Z][A-Z_]+): /.exec(message)?.[1];
        throw Object.assign(new Error(code ? message.slice(code.length + 2) : message), { code });
      }
      Atomics.store(state, 0, EMPTY);
      Atomics.notify(state, 0);
      yield bytes;
    }
  } finally {
    if (stalled || !workerStopped(state)) void worker.terminate().then(() => closeLogSource(source));
    else closeLogSource(source);
  }
}

/**
 * Blocks while `state[0]` is `value`, for at most `ms`; false when it timed out. A wake-up alone
 * says nothing: the worker notifies just after it changes the state, and this thread may have
 * taken that hand-over, given the buffer back and waited again before the notify lands. Taken as
 * a hand-over, that late notify yielded the buffer's last chunk twice (CI: a 5 MiB file read as
 * 16 KiB more, test/engine/gunzip-sync.test.ts).
 */
export function waitWhile(state: Int32Array, value: number, ms: number): boolean {
  const until = Date.now() + ms;
  while (Atomics.load(state, 0) === value) {
    const left = until - Date.now();
    if (left <= 0) return false;
    Atomics.wait(state, 0, value, left);
  }
  return true;
}

/** True once the worker reads no more: it finished, or it was cancelled (now) and acknowledged it in time. */
function workerStopped(state: Int32Array): boolean {
  for (;;) {
    const now = Atomics.load(state, 0);
    if (now === END || now === FAILED || now === STOPPED) return true;
    if (now === CANCELLED) break;
    if (Atomics.compareExchange(state, 0, now, CANCELLED) === now) {
      Atomics.notify(state, 0);
      break;
    }
  }
  return waitWhile(state, CANCELLED, STALL_MS);
}
