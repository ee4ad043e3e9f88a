/**
 * The columns keep durations and line offsets in 32 bits (+ 8 for an offset) with rare values
 * kept aside (entry-columns.ts): every value must come back exactly as indexed — to read the
 * right line back, and for stats to match the plain-object oracle.
 */
import { describe, expect, it, vi } from 'vitest';
import { EntryColumns, type LocatedCompact, POPULATE_ENTRIES } from '../../src/engine/entry-columns.js';
import { forgetNativeAddon, nativeAddon } from '../../src/engine/native-scanner.js';
import { newCompactRecord } from '../../src/engine/compact-record.js';
import { entryStatsParts } from '../../src/engine/entry-query.js';
import { durationValues } from '../../src/shared/duration-keys.js';

/** A record at (span 0, `offset`), as the scanner leaves one. */
function located(kind: 'request' | 'response', id: string, offset: number, ms: number): LocatedCompact {
  const r = { ...newCompactRecord(), commandKey: '[]', seg: 0, offset, length: 120, line: 1, id, idHash: id.length + 1 } as LocatedCompact;
  if (kind === 'request') r.latencyMs = ms;
  else r.durationMs = ms;
  return r;
}

/** Durations of every shape: whole ms, thousandths, finer, long, longer than 2^31 ms, none. */
const DURATIONS = [0, 1, 2617, 60_000, 2 ** 31 - 1, 2 ** 31, 4_294_967_295, 1e13, 30.5, 12.125, 0.001, 0.0001, 1 / 3, 2_147_483.647, 2_147_483.648, 86_400_000.25, Number.NaN, Number.MAX_SAFE_INTEGER];
/** Offsets: small, past 4 GiB, past 1 TiB (the high byte's end), far past it. */
const OFFSETS = [0, 123, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 - 1, 255 * 2 ** 32 - 1, 255 * 2 ** 32, 2 ** 40, 2 ** 40 + 7, 2 ** 45 + 3, Number.MAX_SAFE_INTEGER];

describe('EntryColumns', () => {
  it('gives back every latency, duration and line offset exactly as indexed, in read-back and stats', () => {
    const n = Math.max(DURATIONS.length, OFFSETS.length);
    const c = new EntryColumns(4);
    for (let s = 0; s < n; s++) {
      if (s >= c.capacity) c.resize(c.capacity * 2);
      c.writeRequest(s, located('request', `id-${s}`, OFFSETS[s % OFFSETS.length], DURATIONS[s % DURATIONS.length]), 'running', 0);
      c.writeResponse(s, located('response', `id-${s}`, OFFSETS[(s + 3) % OFFSETS.length], DURATIONS[(s + 5) % DURATIONS.length]));
    }
    for (let s = 0; s < n; s++) {
      expect(c.latency(s), `latency ${s}`).toBe(DURATIONS[s % DURATIONS.length]);
      expect(c.duration(s), `duration ${s}`).toBe(DURATIONS[(s + 5) % DURATIONS.length]);
      expect(c.requestLine(s), `request line ${s}`).toEqual([0, OFFSETS[s % OFFSETS.length], 120]);
      expect(c.responseLine(s), `response line ${s}`).toEqual([0, OFFSETS[(s + 3) % OFFSETS.length], 120]);
    }
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const parts = entryStatsParts(c, order, '', null);
    // (Stats hold them as sort keys, with the rare others aside: the same values, in another order.)
    const known = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const sorted = (xs: Float64Array) => Array.from(xs).sort((a, b) => a - b);
    expect(sorted(durationValues(parts.latency))).toEqual(known(Array.from(order, (s) => DURATIONS[s % DURATIONS.length])));
    expect(sorted(durationValues(parts.duration))).toEqual(known(Array.from(order, (s) => DURATIONS[(s + 5) % DURATIONS.length])));
  });

  it('forgets a duration kept aside with its response, and one written over', () => {
    const c = new EntryColumns(4);
    c.writeRequest(0, located('request', 'a', 2 ** 41, 1e13), 'running', 0);
    c.writeResponse(0, located('response', 'a', 2 ** 42, 0.0001));
    c.forgetResponse(0, 'running');
    expect(c.duration(0)).toBeNaN();
    c.writeResponse(0, located('response', 'a', 7, 25));
    expect([c.duration(0), c.responseLine(0)[1], c.latency(0), c.requestLine(0)[1]]).toEqual([25, 7, 1e13, 2 ** 41]);
  });
});

describe('EntryColumns.copyRowsFrom', () => {
  it('moves entries to other slots with their values kept aside (a fleet store taking a host over)', () => {
    const src = new EntryColumns(4);
    src.writeRequest(0, located('request', 'a', 2 ** 41, 1e13), 'running', 0);
    src.writeRequest(1, located('request', 'b', 5, 0.0001), 'running', 0);
    src.writeResponse(1, located('response', 'b', 2 ** 44 + 1, 86_400_000.25));
    const dst = new EntryColumns(16);
    dst.writeRequest(0, located('request', 'z', 9, 3), 'running', 0);
    dst.copyRowsFrom(src, 2, 7);
    expect([dst.latency(7), dst.requestLine(7)[1]]).toEqual([1e13, 2 ** 41]);
    expect([dst.latency(8), dst.requestLine(8)[1], dst.duration(8), dst.responseLine(8)[1]]).toEqual([0.0001, 5, 86_400_000.25, 2 ** 44 + 1]);
    expect([dst.latency(0), dst.requestLine(0)[1]]).toEqual([3, 9]);
  });
});

describe('EntryColumns.aboutToWrite', () => {
  it("faults in the next entries' pages in one call per array, once, and again for new arrays after a resize", () => {
    const addon = nativeAddon();
    if (addon === null) return; // (native-lines.test.ts fails where cargo is and the addon is not built.)
    const calls: number[] = [];
    const spy = vi.spyOn(addon, 'populate').mockImplementation((view) => {
      calls.push(view.byteLength);
      return true;
    });
    try {
      const columns = new EntryColumns(3 * POPULATE_ENTRIES);
      columns.aboutToWrite(0);
      // u8, u32, f64 and the pools, POPULATE_ENTRIES entries of each.
      expect(calls).toEqual([7, 44, 16, 16].map((bytes) => bytes * POPULATE_ENTRIES));
      for (const s of [1, 100, POPULATE_ENTRIES - 1]) columns.aboutToWrite(s);
      expect(calls).toHaveLength(4);
      columns.aboutToWrite(POPULATE_ENTRIES);
      expect(calls).toHaveLength(8);
      // New arrays (trimmed, then grown): the part copied into is faulted in before the copy, one
      // call an array; the rest is not, though faulted in before in the old arrays.
      const written = POPULATE_ENTRIES + 5;
      columns.resize(written);
      columns.resize(6 * POPULATE_ENTRIES);
      expect(calls.slice(8)).toEqual([...[7, 44, 16, 16], ...[7, 44, 16, 16]].map((bytes) => bytes * written));
      columns.aboutToWrite(written);
      expect(calls).toHaveLength(20);
      // Near the end: only as far as the arrays go.
      columns.aboutToWrite(6 * POPULATE_ENTRIES - 10_000);
      expect(calls.slice(-4)).toEqual([7, 44, 16, 16].map((bytes) => bytes * 10_000));
      // Rows copied in from another store (a fleet's, host by host): the rows not yet faulted in, once.
      const into = new EntryColumns(4 * POPULATE_ENTRIES);
      calls.length = 0;
      into.copyRowsFrom(columns, 2 * POPULATE_ENTRIES, 0);
      into.copyRowsFrom(columns, POPULATE_ENTRIES, POPULATE_ENTRIES);
      expect(calls).toEqual([7, 44, 16, 16].map((bytes) => bytes * 2 * POPULATE_ENTRIES));
      // Across the end of those: only the rows past it.
      into.copyRowsFrom(columns, POPULATE_ENTRIES, 2 * POPULATE_ENTRIES - 100);
      expect(calls.slice(4)).toEqual([7, 44, 16, 16].map((bytes) => bytes * (POPULATE_ENTRIES - 100)));
      // Past a gap: from the first row copied into (the gap's rows are not written).
      into.copyRowsFrom(columns, POPULATE_ENTRIES - 7, 3 * POPULATE_ENTRIES + 7);
      expect(calls.slice(8)).toEqual([7, 44, 16, 16].map((bytes) => bytes * (POPULATE_ENTRIES - 7)));
    } finally {
      spy.mockRestore();
      forgetNativeAddon();
    }
  });
});
