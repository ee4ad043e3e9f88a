/**
 * `print --json`'s second thread (json-dump.ts): batches of entries in, as rows
 * (engine/entry-line-rows.ts) with where their lines are; out, their lines as `print --json`
 * writes them, each entry's end, and -1 for an entry this thread declined (its lines not plain,
 * not the lines indexed, or not readable here: the main thread writes it, the way it writes any).
 * It reads through the descriptors the engine holds open, which the main thread keeps open until
 * every batch is back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LineSource } from '../../shared/entry.js';
import { RowLines, ROW_SIZE, spansOf } from '../../engine/entry-line-rows.js';
import { useHashSeed } from '../../engine/id-table.js';
import { nativeAddon } from '../../engine/native-scanner.js';
import { DECLINED_THERE, EntryBatches } from './entry-batches.js';

/** A batch to write. */
export interface DumpJob {
  id: number;
  /** `count` rows of ROW_SIZE numbers (given back with the result, for the next batch). */
  rows: ArrayBuffer;
  count: number;
  sources: readonly LineSource[];
  origin: string;
  /** Batches' buffers printed since the last job, written into again. */
  printed: ArrayBuffer[];
  /** Output written at most (EntryBatches.write): the entries past it are left to the main thread. */
  maxBytes: number;
}

/** A batch written (EntryBatch, declined entries marked -1), and the rows' buffer back. */
export interface DumpResult {
  id: number;
  /** When its lines began to be read (`performance.timeOrigin + performance.now()`: one clock for all threads). */
  readAt: number;
  bytes: ArrayBuffer;
  length: number;
  ends: Int32Array;
  rows: ArrayBuffer;
}

const port = parentPort;
if (!port) throw new Error('print-worker: not started as a worker thread');
const data = workerData as { hashSeed: [number, number] };
// The parent's seed: a line's fingerprint here must be the one the index kept there.
useHashSeed(data.hashSeed);
// (Started only once the parent's index has loaded the addon: not loadable here, the worker
// fails and the parent writes every entry itself.)
if (nativeAddon() === null) throw new Error('print-worker: the native scanner is not loadable in this thread');
const batches = new EntryBatches();

port.postMessage('ready');
port.on('message', (job: DumpJob) => {
  const readAt = performance.timeOrigin + performance.now();
  for (const b of job.printed) batches.giveBack(Buffer.from(b));
  const spans = spansOf(job.sources);
  const lines = new RowLines(new Float64Array(job.rows, 0, job.count * ROW_SIZE), spans, job.origin);
  const batch = batches.write(
    job.count,
    (i) => {
      lines.at(i);
      return lines;
    },
    DECLINED_THERE,
    job.maxBytes,
  );
  // (Its read-ahead buffer back; the descriptors are the engine's.)
  spans.closeAll();
  const bytes = batch.bytes.buffer as ArrayBuffer;
  const result: DumpResult = { id: job.id, readAt, bytes, length: batch.length, ends: batch.ends, rows: job.rows };
  port.postMessage(result, [bytes, batch.ends.buffer as ArrayBuffer, job.rows]);
});
