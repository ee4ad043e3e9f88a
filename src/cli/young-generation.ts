/**
 * Keeps V8's young generation at its first size (1 MB a semi-space) for the whole process.
 *
 * Indexing a large log leaves a little of what each scavenge sees alive, and V8 doubles the
 * young generation whenever that adds up to its size, up to 2 × 16 MB — which it never gives
 * back: 30 MB of the RSS of `stats` over 1M records, a quarter of it. `--max-semi-space-size`
 * is read once, when the heap is set up, so it cannot be set from here (measured: no effect);
 * the growth factor is read at each growth, so a factor of 1 set before the first growth keeps
 * it from ever growing. Measured on 1M records (556,018 entries): RSS −29 to −32 MB, index CPU
 * unchanged within the noise (README "Figures"). Process-wide: set by the command line's entry
 * point, never by the engine a daemon or another program may load.
 *
 * V8 rejects a code cache made under other flags (a flag hash is in it): the commands' caches
 * are made with this same flag set (scripts/code-cache.mjs), or each start would compile its
 * command again (~25 ms of CPU, measured: a 20-record `stats` 139 ms against 114 ms).
 */
import v8 from 'node:v8';

/** Set first by the CLI, and by scripts/code-cache.mjs before it compiles (see above). */
export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString(YOUNG_GENERATION_FLAG);
  // V8 raises the factor back to its minimum of 2, process-wide, whenever it sets up an
  // isolate's heap: a scan worker's start let both threads' young generations grow (#17: `stats`
  // over 1M records with one worker, +6 MB in this thread, +2 MB in the worker). Set again once
  // the worker runs: its heap is set up by then. (What a worker allocates as it boots comes
  // before: engine/parallel-scan.ts caps a scan worker's young generation itself.)
  process.on('worker', (worker) => worker.once('online', () => v8.setFlagsFromString(YOUNG_GENERATION_FLAG)));
}
