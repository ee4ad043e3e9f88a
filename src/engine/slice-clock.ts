/**
 * Milliseconds on a monotonic clock, for the time slices a long read yields between. Not
 * `performance.now()`: the first use of that global loads node:perf_hooks and all of
 * internal/perf, a cost every `print`, `stats` and `verify` paid at start-up (#17).
 */
export function sliceClockMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}
