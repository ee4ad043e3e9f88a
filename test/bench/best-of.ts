/** The best of `runs` timings of `fn`, in ms: a shared machine is noisy, the best is the figure least disturbed. */
export function bestOf(fn: () => void, runs = 3): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}
