/**
 * A monotonic clock in milliseconds, for measuring how long something took (time slices,
 * throttles): `process.hrtime`, which Node has at start, rather than `performance.now()`, whose
 * first use loads `perf_hooks` (~2 ms of CPU, before the viewer's first frame: #17). Its origin
 * is arbitrary: compare its readings with each other only, never with `performance.now()`'s.
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
