/**
 * A result buffer handed back for reuse (#17: RSS with a scan worker) must not carry a previous
 * chunk's values: many fields are written only for some kinds of line (a request's host, a
 * chained line's seq, a record's fingerprint), so a reused buffer must read as a fresh one.
 */
import { describe, expect, it } from 'vitest';
import { ChunkScanner, type ChunkResult, OUT_REQUEST, OUT_RESPONSE } from '../../src/engine/chunk-scan.js';
import { ScanPool } from '../../src/engine/parallel-scan.js';
import { jsonl, request, response, writerStart } from './helpers.js';

const ARRAYS = ['kind', 'flags', 'decision', 'line', 'offset', 'length', 'host', 'session', 'reason', 'command', 'resolved', 'error', 'idEnd', 'print', 'idHash', 'timeMs', 'value', 'seq'] as const;

/** The fields whose values do not depend on a scanner's string numbers. */
const UNNUMBERED = ['kind', 'flags', 'decision', 'line', 'offset', 'length', 'idEnd', 'print', 'idHash', 'timeMs', 'value', 'seq'] as const;

/**
 * The fields above of the first `count` records. A writer line's idHash is left from the record
 * the scanner read before it (no id of its own; nothing reads it): compared for requests and responses only.
 */
function unnumberedOf(r: ChunkResult) {
  const fields = Object.fromEntries(UNNUMBERED.map((name) => [name, Array.from(r[name].subarray(0, r.count))]));
  fields.idHash = fields.idHash.map((h, i) => (r.kind[i] === OUT_REQUEST || r.kind[i] === OUT_RESPONSE ? h : 0));
  return fields;
}

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

describe('the scan pool reusing results', () => {
  const chained = (r: object, seq: number) => ({ ...r, seq, prev: '0'.repeat(64) });
  // Chunks of full records and chunks of lines that write few fields, in turn.
  const blocks: string[] = [];
  for (let b = 0; b < 30; b++) {
    if (b % 2 === 0) blocks.push(jsonl(...Array.from({ length: 8 }, (_, i) => chained(i % 2 ? response(`b${b}-${i}`, { error: 'boom' }) : request(`b${b}-${i}`), b * 8 + i + 1))));
    else blocks.push(`not json\n\n${jsonl(writerStart())}{"a":1}\n`.repeat(8));
  }
  const bytes = Buffer.from(blocks.join(''));

  for (const workers of [0, 1]) {
    it(`gives each chunk what a fresh scanner gives it (scan workers: ${workers})`, async () => {
      const pool = new ScanPool(workers, true, null, undefined, true);
      const seen: Array<{ base: number; fields: ReturnType<typeof unnumberedOf> }> = [];
      const buffers = new Set<ArrayBufferLike>();
      try {
        let at = 0;
        const source = { read: (into: Buffer, offset: number, max: number) => { const n = Math.min(max, bytes.length - at, 2000); bytes.copy(into, offset, at, at + n); at += n; return n; } };
        await pool.run(source, (res, place) => {
          buffers.add(res.kind.buffer);
          seen.push({ base: place.base, fields: unnumberedOf(res) });
        }, { chunkBytes: 1500 });
      } finally {
        pool.close();
      }
      expect(seen.length).toBeGreaterThan(10);
      for (let c = 0; c < seen.length; c++) {
        const end = c + 1 < seen.length ? seen[c + 1].base : bytes.length;
        const fresh = new ChunkScanner().scan(bytes.subarray(seen[c].base, end), c + 1 === seen.length);
        expect(seen[c].fields, `chunk ${c} at ${seen[c].base}`).toEqual(unnumberedOf(fresh));
      }
      // In this thread the same buffers come round again (a worker's arrive as new objects).
      if (workers === 0) expect(buffers.size).toBeLessThan(seen.length / 2);
    });
  }
});
