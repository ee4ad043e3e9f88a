/**
 * Starts one of the project's worker scripts (scan-worker, the CLI's print-worker): the built
 * .js next to the module that asks, or — when running from the TypeScript sources (tests, tsx) —
 * the .ts through tsx's loader registered in the worker.
 */
import type { Worker } from 'node:worker_threads';

/**
 * A worker's young generation, at most its first size: two semi-spaces of 1 MB, and V8 counts
 * one more for the young large objects. Left to grow, it doubled as the worker booted and
 * scanned (V8 raises the process's growth factor back to 2 as it sets up a new isolate's heap,
 * whatever the command line set: cli/young-generation.ts): 2 MB more RSS that stayed, in one
 * `stats` of 1M records in five (#17). Per isolate: this thread's young generation is not touched.
 */
export const WORKER_YOUNG_GENERATION_MB = 3;

/** `script` (a name without extension) beside `here` (the caller's import.meta.url), given `workerData`. */
export function startWorkerThread(here: string, script: string, workerData: unknown): Worker {
  // Loaded here, not imported: a small log never starts a worker (#17: start-up).
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  if (here.endsWith('.ts')) {
    const source = new URL(`./${script}.ts`, here).href;
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
    return new Worker(boot, { eval: true, workerData, resourceLimits });
  }
  return new Worker(new URL(`./${script}.js`, here), { workerData, resourceLimits });
}
