import { describe, expect, it } from 'vitest';
import { LineFingerprints } from '../../src/engine/line-fingerprints.js';

describe('LineFingerprints', () => {
  /** Slots 0…n-1 with a request's and a response's print each, all different. */
  const filled = (n: number) => {
    const f = new LineFingerprints(4);
    for (let s = 0; s < n; s++) {
      f.set(s, 'request', 1000 + 2 * s);
      f.set(s, 'response', 1001 + 2 * s);
    }
    return f;
  };
  const expected = (n: number) => Array.from({ length: 2 * n }, (_, k) => 1000 + k);

  it('keeps every print when room is reserved ahead, and grows past the room reserved', () => {
    const f = filled(40);
    f.reserve(10_000);
    expect(f.byteLength).toBe(2 * 10_000 * 4);
    expect(Array.from(f.printsOf(0, 40))).toEqual(expected(40));
    f.set(12_000, 'response', 7);
    expect(f.printsOf(12_000, 12_001)[1]).toBe(7);
    expect(Array.from(f.printsOf(0, 40))).toEqual(expected(40));
    // Less than it holds: nothing changes.
    f.reserve(100);
    expect(f.printsOf(12_000, 12_001)[1]).toBe(7);
  });

  it('gives back room beyond the slots it is trimmed to, keeping theirs', () => {
    const f = filled(40);
    f.reserve(10_000);
    f.trim(50);
    expect(f.byteLength).toBe(2 * 50 * 4);
    expect(Array.from(f.printsOf(0, 40))).toEqual(expected(40));
    // Never below 16 slots; never grown by a trim.
    const small = filled(3);
    small.trim(1);
    expect(small.byteLength).toBe(2 * 16 * 4);
    expect(Array.from(small.printsOf(0, 3))).toEqual(expected(3));
  });
});
