/**
 * The hand-over between gunzipChunksSync and its worker: a wake-up is not a hand-over. (CI read a
 * 5 MiB gzip file as 16 KiB more: the worker's notify for a chunk landed after this thread had
 * taken that chunk and waited again, and the buffer was yielded twice.)
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { waitWhile } from '../../src/engine/gunzip-sync.js';

/**
 * A thread that wakes whoever waits on `state[0]` without changing it, `times` times (each
 * notify repeated until it woke someone, so each lands on a waiter), then sets it to 1 and
 * notifies once more.
 */
function wakeSpuriouslyThenSet(state: Int32Array, times: number): Worker {
  return new Worker(
    `const { workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.buffer);
for (let i = 0; i < workerData.times; i++) while (Atomics.notify(state, 0) === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
Atomics.store(state, 0, 1);
Atomics.notify(state, 0);`,
    { eval: true, workerData: { buffer: state.buffer, times } },
  );
}

describe('waitWhile', () => {
  it('returns only once the state changed, however often it is woken before', async () => {
    const state = new Int32Array(new SharedArrayBuffer(4));
    const waker = wakeSpuriouslyThenSet(state, 3);
    expect(waitWhile(state, 0, 60_000)).toBe(true);
    expect(Atomics.load(state, 0)).toBe(1);
    await new Promise((resolve) => waker.once('exit', resolve));
  });

  it('returns at once when the state is already another, and false when the time runs out', () => {
    const state = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(state, 0, 2);
    expect(waitWhile(state, 0, 0)).toBe(true);
    expect(waitWhile(state, 2, 30)).toBe(false);
    expect(Atomics.load(state, 0)).toBe(2);
  });
});
