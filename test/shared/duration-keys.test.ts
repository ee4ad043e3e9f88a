/**
 * Stats rank durations as 4-byte keys (duration-keys.ts): a key must order as its milliseconds
 * do and give them back exactly, or `stats` shows another p50 than the log holds.
 */
import { describe, expect, it } from 'vitest';
import { durationKey, durationList, durationValues, msOfKey } from '../../src/shared/duration-keys.js';
import { durationPercentiles, percentiles } from '../../src/shared/query.js';

/** What the writers write (whole ms, thousandths) at the edges of the keys' two ranges. */
const KEYED = [0, 0.001, 0.999, 1, 12.125, 30.5, 2617, 60_000, 2_147_483, 2_147_483.001, 2_147_483.645, 2_147_483.647, 2_147_484, 2_147_484.5 - 0.5, 4_000_000, 2 ** 31 - 2, 2 ** 31 - 1];
/** What no key holds: kept aside as it is. */
const OTHERS = [-1, -0.5, 2 ** 31, 2 ** 31 + 0.5, 1e13, 0.0001, 1 / 3, 2_147_484.5, Number.MAX_SAFE_INTEGER];

describe('duration keys', () => {
  it('give every value back exactly and order as the values do', () => {
    for (const ms of KEYED) {
      const key = durationKey(ms);
      expect(key, `${ms}`).toBeGreaterThanOrEqual(0);
      expect(key, `${ms}`).toBeLessThan(2 ** 32);
      expect(msOfKey(key), `${ms}`).toBe(ms);
    }
    for (const a of KEYED) for (const b of KEYED) expect(Math.sign(durationKey(a) - durationKey(b)), `${a} vs ${b}`).toBe(Math.sign(a - b));
  });

  it('leave aside what they cannot hold', () => {
    for (const ms of OTHERS) expect(durationKey(ms), `${ms}`).toBe(-1);
  });

  it('rank as the values would, with and without values kept aside', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const shapes = [
      Array.from({ length: 2001 }, () => Math.round(random() * 4e6)),
      Array.from({ length: 2000 }, () => Math.round(random() * 3e9) / 1000),
      Array.from({ length: 1999 }, (_, i) => (i % 2 === 0 ? Math.round(random() * 5e9) / 1000 : Math.round(random() * 2 ** 31))),
      [...KEYED, ...OTHERS, ...KEYED],
      [5],
    ];
    for (const shape of shapes) {
      const list = durationList(shape);
      expect(Array.from(durationValues(list)).sort((a, b) => a - b)).toEqual([...shape].sort((a, b) => a - b));
      expect(durationPercentiles(list)).toEqual(percentiles(Float64Array.from(shape)));
    }
    expect(durationPercentiles(durationList([]))).toBeNull();
  });
});
