import { describe, expect, it } from 'vitest';
import { AdaptiveThrottle, type Timers } from '../../../src/tui/store/throttle.js';

/** A clock and timers the test advances by hand. */
function manualTime() {
  let now = 0;
  const pending: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = ++ids;
      pending.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = pending.findIndex((p) => p.id === id);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return {
    timers,
    now: () => now,
    spend: (ms: number) => {
      now += ms;
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        pending.sort((a, b) => a.at - b.at);
        const next = pending[0];
        if (!next || next.at > until) break;
        pending.shift();
        now = next.at;
        next.fn();
      }
      now = until;
    },
  };
}

describe('AdaptiveThrottle', () => {
  it('coalesces requests into one run per interval', () => {
    const t = manualTime();
    let runs = 0;
    const th = new AdaptiveThrottle(() => runs++, { minMs: 100, costFactor: 4, timers: t.timers, now: t.now });
    th.request();
    th.request();
    t.advance(0);
    expect(runs).toBe(1);
    th.request();
    th.request();
    t.advance(50);
    expect(runs).toBe(1);
    t.advance(50);
    expect(runs).toBe(2);
  });

  it('waits longer after a costly run', () => {
    const t = manualTime();
    let runs = 0;
    const th = new AdaptiveThrottle(
      () => {
        runs++;
        t.spend(300);
      },
      { minMs: 100, costFactor: 4, timers: t.timers, now: t.now },
    );
    th.runNow();
    expect(th.interval()).toBe(1_200);
    th.request();
    t.advance(1_199);
    expect(runs).toBe(1);
    t.advance(1);
    expect(runs).toBe(2);
  });

  it('runNow drops a pending request, cancel drops it without running', () => {
    const t = manualTime();
    let runs = 0;
    const th = new AdaptiveThrottle(() => runs++, { minMs: 100, costFactor: 1, timers: t.timers, now: t.now });
    th.runNow();
    th.request();
    expect(th.isPending()).toBe(true);
    th.runNow();
    expect(th.isPending()).toBe(false);
    th.request();
    th.cancel();
    t.advance(1_000);
    expect(runs).toBe(2);
  });
});
