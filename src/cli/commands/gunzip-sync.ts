/**
 * Decompresses a .gz file chunk by chunk *synchronously*, in bounded memory. verifyChain pulls
 * lines from a synchronous iterable, and node:zlib has no synchronous streaming API (gunzipSync
 * needs the whole file, and a rotated month can be gigabytes once inflated). So a worker runs
 * the ordinary streaming gunzip and hands over one chunk at a time through shared memory;
 * this thread blocks on Atomics.wait until the next chunk is there.
 */
import { Worker } from 'node:worker_threads';

/** Bytes per hand-over: large enough to amortise the thread switch. */
const CAPACITY = 1 << 20;
/** No progress from the worker for this long means it died (it always reports errors). */
const STALL_MS = 120_000;

// control[0]: who may act; control[1]: bytes in `data`.
const EMPTY = 0; // the worker may fill
const FULL = 1; // the reader may take
const END = 2; // no more data
const FAILED = 3; // `data` holds an error message
const CANCELLED = 4; // the reader stopped early: the worker exits

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
const [EMPTY, FULL, END, FAILED, CANCELLED] = [${EMPTY}, ${FULL}, ${END}, ${FAILED}, ${CANCELLED}];
const control = new Int32Array(workerData.control);
const data = new Uint8Array(workerData.data);
let input;
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
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}
function stop() { if (input) input.destroy(); process.exit(0); }
try {
  input = fs.createReadStream(workerData.file);
  const gunzip = zlib.createGunzip();
  const fail = (e) => { if (waitEmpty()) hand(FAILED, Buffer.from(String(e && e.code ? e.code + ': ' + e.message : e))); stop(); };
  input.on('error', fail);
  gunzip.on('error', fail);
  gunzip.on('data', (chunk) => {
    for (let at = 0; at < chunk.length; at += data.length) {
      if (!waitEmpty()) return stop();
      hand(FULL, chunk.subarray(at, at + data.length));
    }
  });
  gunzip.on('end', () => { if (waitEmpty()) hand(END, Buffer.alloc(0)); stop(); });
  input.pipe(gunzip);
} catch (e) {
  if (waitEmpty()) hand(FAILED, Buffer.from(String(e)));
}
`;

/** The decompressed content of `file`, in chunks; throws the gunzip or read error. */
export function* gunzipChunksSync(file: string): Generator<Buffer> {
  const control = new SharedArrayBuffer(8);
  const data = new SharedArrayBuffer(CAPACITY);
  const state = new Int32Array(control);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, control, data } });
  worker.unref();
  let finished = false;
  try {
    for (;;) {
      if (Atomics.wait(state, 0, EMPTY, STALL_MS) === 'timed-out') throw new Error('decompression stalled');
      const now = Atomics.load(state, 0);
      const bytes = Buffer.from(new Uint8Array(data, 0, state[1])); // a copy: the buffer is reused
      if (now === END) {
        finished = true;
        return;
      }
      if (now === FAILED) {
        finished = true;
        const message = bytes.toString();
        const code = /^([A-Z][A-Z_]+): /.exec(message)?.[1];
        throw Object.assign(new Error(code ? message.slice(code.length + 2) : message), { code });
      }
      Atomics.store(state, 0, EMPTY);
      Atomics.notify(state, 0);
      yield bytes;
    }
  } finally {
    if (!finished) {
      Atomics.store(state, 0, CANCELLED);
      Atomics.notify(state, 0);
    }
    void worker.terminate();
  }
}
