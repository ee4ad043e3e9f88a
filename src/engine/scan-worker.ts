/** Scan worker: chunks of whole lines in, compact records out (chunk-scan.ts). The input buffer goes back for reuse; the result takes a consumed one's buffer when given. */
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkScanner, transferables } from './chunk-scan.js';
import { useHashSeed } from './id-table.js';

interface Job {
  id: number;
  buffer: ArrayBuffer;
  length: number;
  final: boolean;
  /** A consumed result's buffer, for this result (chunk-scan.ts clears it). */
  spare?: ArrayBuffer;
}

const port = parentPort;
if (!port) throw new Error('scan-worker: not started as a worker thread');
const data = workerData as { hashLines?: boolean; hashSeed?: [number, number] } | null;
// The parent's seed (parallel-scan.ts always gives it): ids hashed here must find the same ids hashed there.
if (data?.hashSeed) useHashSeed(data.hashSeed);
const scanner = new ChunkScanner(data?.hashLines !== false);
port.on('message', (job: Job) => {
  const result = scanner.scan(Buffer.from(job.buffer, 0, job.length), job.final, job.spare ?? null);
  port.postMessage({ id: job.id, result, buffer: job.buffer }, [...transferables(result), job.buffer]);
});
