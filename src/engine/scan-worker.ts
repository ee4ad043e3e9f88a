/**
 * Scan worker: chunks of whole lines in; out, their records (chunk-scan.ts) or, with the native
 * scanner, their lines' slots (`lines`: native-lines.ts). The input buffer goes back (with the
 * slots, for the lines read from it); the result takes a consumed one's buffer when given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useHashSeed } from './id-table.js';
import { nativeAddon } from './native-scanner.js';
import { type ChunkWork, linesWork } from './chunk-work.js';

interface Job {
  id: number;
  buffer: ArrayBuffer;
  length: number;
  final: boolean;
  /** A consumed result's buffer, for this result (chunk-scan.ts clears it). */
  spare?: ArrayBuffer;
}

if (!parentPort) throw new Error('scan-worker: not started as a worker thread');
const port = parentPort;
const data = workerData as { hashLines?: boolean; lines?: boolean; hashSeed?: [number, number] } | null;
// The parent's seed (parallel-scan.ts always gives it): ids hashed here must find the same ids hashed there.
if (data?.hashSeed) useHashSeed(data.hashSeed);
const hashLines = data?.hashLines !== false;
// (Asked for lines only when the parent loaded the addon: not loadable here, the worker fails and the parent reads on its own.)
const addon = data?.lines === true ? nativeAddon() : null;
if (data?.lines === true && addon === null) throw new Error('scan-worker: the native scanner is not loadable in this thread');
// The JavaScript scanner only without the addon: its modules take ~80 ms to load (chunk-work.ts).
// (Not a top-level await: the bundled worker is CommonJS. A rejection fails the worker, and the pool reads without it.)
void (addon !== null ? Promise.resolve(linesWork(addon, hashLines, true) as ChunkWork<unknown>) : import('./parallel-scan.js').then((m) => m.recordsWork(hashLines) as ChunkWork<unknown>)).then(serve);

function serve(work: ChunkWork<unknown>): void {
  port.on('message', (job: Job) => {
    const result = work.scan(Buffer.from(job.buffer, 0, job.length), job.final, job.spare ?? null);
    port.postMessage({ id: job.id, result: work.posted(result), buffer: job.buffer }, [...work.transferables(result), job.buffer]);
  });
  // Up: the pool sends chunks here from now on (until then, its own thread scans them).
  port.postMessage('ready');
}
