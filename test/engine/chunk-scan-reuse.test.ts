/**
 * A result buffer handed back for reuse (#17: RSS with a scan worker) must not carry a previous
 * chunk's values: many fields are written only for some kinds of line (a request's host, a
 * chained line's seq, a record's fingerprint), so a reused buffer must read as a fresh one.
 */
import { describe, expect, it } from 'vitest';
import { ChunkScanner, type ChunkResult } from '../../src/engine/chunk-scan.js';
import { jsonl, request, response, writerStart } from './helpers.js';

const ARRAYS = ['kind', 'flags', 'decision', 'line', 'offset', 'length', 'host', 'session', 'reason', 'command', 'resolved', 'error', 'idEnd', 'print', 'idHash', 'timeMs', 'value', 'seq'] as const;

/** Every field of the first `count` records, as plain numbers. */
function fieldsOf(r: ChunkResult) {
  return Object.fromEntries(ARRAYS.map((name) => [name, Array.from(r[name].subarray(0, r.count))]));
}

describe('a reused result buffer', () => {
  const chained = (r: object, seq: number) => ({ ...r, seq, prev: '0'.repeat(64) });
  // Every field written: chained requests and responses with hosts, errors, latencies.
  const full = Buffer.from(jsonl(...Array.from({ length: 40 }, (_, i) => chained(i % 2 ? response(`r${i}`, { error: 'boom' }) : request(`r${i}`, { host: `h${i}` }), i + 1))));
  // Lines for which most fields are never written: malformed, unchained writer events, blank lines.
  const sparse = Buffer.from(`not json\n\n${jsonl(writerStart())}{"a":1}\n${'x'.repeat(300)}\n`);

  it("reads as a fresh one: none of the previous chunk's values carried over", () => {
    const first = new ChunkScanner().scan(full, true);
    const spare = first.kind.buffer as ArrayBuffer;
    // Another scanner, so string numbers do not differ between the two scans of `sparse`.
    const reused = new ChunkScanner().scan(sparse, true, spare);
    expect(reused.kind.buffer).toBe(spare);
    const fresh = new ChunkScanner().scan(sparse, true);
    expect(fieldsOf(reused)).toEqual(fieldsOf(fresh));
  });

  it('is not used when it is too small for the chunk (a fresh one is)', () => {
    const small = new ChunkScanner().scan(sparse, true).kind.buffer as ArrayBuffer;
    const big = Buffer.concat(Array.from({ length: 40 }, () => full));
    const result = new ChunkScanner().scan(big, true, small);
    expect(result.kind.buffer).not.toBe(small);
    expect(fieldsOf(result)).toEqual(fieldsOf(new ChunkScanner().scan(big, true)));
  });
});
