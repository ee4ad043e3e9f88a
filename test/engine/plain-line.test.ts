/**
 * A line read back by the native scanner (plain-line.ts, native/src/lines.rs `scan_plain`)
 * against the JavaScript it stands in for: over random and mutated lines (held at odd byte
 * offsets), it takes as plain only a line the JavaScript `scanRecord` takes and that holds no
 * DEL, with the same facts, and each key's value span where EntryJsonBytes' own walk finds it;
 * every line, plain or not, gets the fingerprint the JavaScript gives it. (The attacker's
 * differential of session 14, which ran ~2.9 million lines: here a part of it.)
 */
import { describe, expect, it } from 'vitest';
import { EntryJsonBytes } from '../../src/cli/commands/entry-json-bytes.js';
import { newCompactRecord } from '../../src/engine/compact-record.js';
import { lineFingerprint } from '../../src/engine/line-fingerprints.js';
import { nativeAddon } from '../../src/engine/native-scanner.js';
import { PlainLine } from '../../src/engine/plain-line.js';
import { KEYS } from '../../src/engine/record-keys.js';
import { scanRecord } from '../../src/engine/scan-record.js';
import { seededRandom } from '../../src/demo/traffic.js';

// (native-lines.test.ts fails where cargo is and the addon is not built: this never goes unchecked there.)
const addon = nativeAddon();
const RESPONSE = '{"v":1,"type":"response","id":"a1","time":"2026-12-04T00:00:01Z","status":"ok","error":null,"stages":[{"exit_code":0,"stderr_len":0,"stderr_truncated":false}],"stdout_len":10,"stdout_truncated":false,"duration_ms":3}';
const REQUEST_TAIL = '"host":"h","session":"s","pipeline":[["ls"]],"resolved":[],"env_keys":[],"reason":"r","privileged":true,"decision":"approved","via":"operator","latency_ms":5}';
const MUTATIONS = ['1.0', '1e2', '-0', '\u007f', '\\"', ',"host":"d"', '"', '{', '[', ']', '}', 'null', ',"always":true', ',"operator":{"uid":1.0,"user":"a","tty":"t","hostname":"h"}'];

/** EntryJsonBytes' JavaScript walk, which the native spans stand in for. */
type Walk = { scan(b: Uint8Array, kind: number, idHash: number): boolean; start: Int32Array; end: Int32Array };

describe.skipIf(addon === null)('a line read back by the native scanner', () => {
  it('is plain only where the JavaScript takes it, with its facts, spans and fingerprint', () => {
    nativeAddon();
    const plain = PlainLine.shared() as PlainLine;
    const walk = new EntryJsonBytes() as unknown as Walk;
    const js = newCompactRecord();
    const random = seededRandom(99);
    let took = 0;
    for (let n = 0; n < 20_000; n++) {
      let s = n % 2 ? RESPONSE.replace('"type":"response"', '"type":"request"').replace(/"status".*$/, REQUEST_TAIL) : RESPONSE;
      for (let e = Math.floor(random() * 3); e > 0; e--) {
        const at = Math.floor(random() * s.length);
        const m = MUTATIONS[Math.floor(random() * MUTATIONS.length)];
        s = m.startsWith(',') ? s.slice(0, -1) + m + '}' : s.slice(0, at) + m + s.slice(at + (random() < 0.5 ? 1 : 0));
      }
      // (At an odd offset of a bigger buffer, as a line in a read-ahead window is.)
      const b = Buffer.alloc(s.length + 2).fill(0x0a);
      b.write(s, 1, 'latin1');
      const line = b.subarray(1, 1 + s.length);
      plain.scan(line, false);
      expect(plain.print).toBe(lineFingerprint(line, 0, line.length));
      if (!plain.plain) continue;
      took++;
      expect(scanRecord(line, 0, line.length, js) && !line.includes(0x7f), s).toBe(true);
      expect([plain.kind, plain.chained, plain.idHash, plain.reject], s).toEqual([js.kind, js.chained, js.idHash, js.reject]);
      expect(walk.scan(line, js.kind, js.idHash)).toBe(true);
      for (let k = 0; k < KEYS.length; k++) expect([plain.spans[2 * k], plain.spans[2 * k + 1]], `${KEYS[k]} ${s}`).toEqual(walk.start[k] < 0 ? [-1, -1] : [walk.start[k], walk.end[k]]);
    }
    expect(took).toBeGreaterThan(1000);
  });
});
