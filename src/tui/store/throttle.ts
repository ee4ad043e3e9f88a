/**
 * Runs a costly job (a query over every entry, stats) at most once per interval, coalescing
 * requests in between. The interval grows with what the job last cost, so a slow query on a
 * huge log takes a bounded share of the CPU while the daemon keeps appending.
 */
import { monotonicMs } from '../../shared/clock.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ThrottleOptions {
  /** Shortest gap between two runs, ms. */
  minMs: number;
  /** The gap is at least this many times the last run's duration. */
  costFactor: number;
  now?: () => number;
  timers?: Timers;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class AdaptiveThrottle {
  private pending: unknown = null;
  private pendingSoon = false;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private lastCost = 0;
  private readonly now: () => number;
  private readonly timers: Timers;

  constructor(
    private readonly job: () => void,
    private readonly options: ThrottleOptions,
  ) {
    this.now = options.now ?? monotonicMs;
    this.timers = options.timers ?? realTimers;
  }

  /** The gap the next run waits for after the last one ended. */
  interval(): number {
    return Math.max(this.options.minMs, this.options.costFactor * this.lastCost);
  }

  /**
   * Runs the job once the interval since the last run has passed (never synchronously);
   * `soon`: on the next turn of the event loop instead (the user asked for it).
   */
  request(soon = false): void {
    if (this.pending !== null && !(soon && !this.pendingSoon)) return;
    this.cancel();
    this.pendingSoon = soon;
    const wait = soon ? 0 : Math.max(0, this.lastEnd + this.interval() - this.now());
    this.pending = this.timers.setTimeout(() => {
      this.pending = null;
      this.runNow();
    }, wait);
  }

  /** Runs the job now, dropping a pending request. */
  runNow(): void {
    this.cancel();
    const start = this.now();
    try {
      this.job();
    } finally {
      this.lastEnd = this.now();
      this.lastCost = this.lastEnd - start;
    }
  }

  cancel(): void {
    if (this.pending !== null) this.timers.clearTimeout(this.pending);
    this.pending = null;
  }

  isPending(): boolean {
    return this.pending !== null;
  }
}
