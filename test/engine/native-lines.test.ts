/**
 * The native scanner (native/, native-lines.ts) must give, for every line it takes, what the
 * JavaScript scanner gives — fields and chain hash — and decline the rest; and the engine must
 * index a log to the same entries, statistics and chain verdict with it and without it.
 * Under CI (.ci/run installs cargo) the addon must be built, so that this is never skipped there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { hashLineAt } from '../../src/shared/chain.js';
import { errorOf, newCompactRecord, requestStrings, resolvedKeyOf, type CompactRecord } from '../../src/engine/compact-record.js';
import { type HostEngine, openEngine, type OpenEngineOptions } from '../../src/engine/engine.js';

import { chainHashFingerprint, lineFingerprint } from '../../src/engine/line-fingerprints.js';
import { forgetScannedAhead, scannedAhead } from '../../src/engine/native-lines.js';
import { IO_AT, IO_PARTS, IO_SLOTS, PART_OUTCOME, PlainLine } from '../../src/engine/plain-line.js';
import type { EntryLines } from '../../src/shared/entry.js';
import { KEYS } from '../../src/engine/record-keys.js';
import { forgetNativeAddon, nativeAddon, nativeUnavailable } from '../../src/engine/native-scanner.js';
import { REPO_ROOT } from '../cli/helpers.js';
import { scanRecord } from '../../src/engine/scan-record.js';
import { NATIVE_LAYOUT } from '../../src/engine/native-scanner.js';
import { DECISIONS, ESCALATIONS, REJECT_KINDS } from '../../src/shared/format-constants.js';
import { generateLog } from '../../src/demo/generate.js';
import { seededRandom } from '../../src/demo/traffic.js';
import { entriesOf, tempDir } from './helpers.js';

const OPERATOR = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };

const cargo = (() => {
  try {
    execFileSync('cargo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const addon = nativeAddon();
if (addon === null && (cargo || inject('ci'))) throw new Error(`the native scanner must be built where cargo is (npm run build): ${nativeUnavailable()}`);
if (addon === null) process.stderr.write(`native-lines.test.ts: no cargo here, so only the JavaScript path is checked (${nativeUnavailable()})\n`);

afterEach(() => {
  delete process.env.SUDO_PROXY_AUDIT_NATIVE;
  forgetNativeAddon();
  forgetScannedAhead();
});

/** What a scan leaves that the index reads, per kind (the rest of the reused record is stale by design). */
function fields(r: CompactRecord) {
  const common = { kind: r.kind, chained: r.chained, seq: r.chained ? r.seq : -1, prevStart: r.chained ? r.prevStart : -1, idHash: r.idHash, idStart: r.idStart, idEnd: r.idEnd, timeMs: r.timeMs, error: errorOf(r) };
  return r.kind === 0
    ? { ...common, ...requestStrings(r), resolved: resolvedKeyOf(r), privileged: r.privileged, decision: r.decision, policy: r.policy, latencyMs: r.latencyMs, reject: r.reject, operator: r.operator }
    : { ...common, failed: r.failed, durationMs: r.durationMs };
}

interface Compared {
  lines: number;
  bothTook: number;
  onlyJavaScriptTook: number;
  /** Lines whose prev the native scanner linked to the line before's hash. */
  linked: number;
}

/** Every line of `lines` through both scanners, one buffer as a read would give it; fails at the first difference. */
function compare(lines: Buffer[], hashLines = true): Compared {
  const buf = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
  const ahead = scannedAhead(hashLines);
  if (ahead === null) throw new Error('no addon');
  ahead.begin(buf, 0, buf.length, false);
  const result: Compared = { lines: 0, bothTook: 0, onlyJavaScriptTook: 0, linked: 0 };
  let start = 0;
  const viaNative = newCompactRecord();
  const viaJs = newCompactRecord();
  for (const line of lines) {
    const end = start + line.length;
    const took = ahead.take(buf, start, end, viaNative);
    const jsTook = scanRecord(buf, start, end, viaJs);
    const shown = line.toString('latin1').slice(0, 300);
    if (took) {
      expect(jsTook, `native took a line JavaScript declines: ${shown}`).toBe(true);
      expect(fields(viaNative), shown).toEqual(fields(viaJs));
      // A prev the native scanner linked to the line before is that line's hash, byte for byte.
      const linked = ahead.prevHash();
      if (linked !== null) {
        expect(buf.toString('latin1', viaNative.prevStart, viaNative.prevStart + 64), shown).toBe(linked);
        result.linked++;
      }
      const hashed = viaNative.chained && hashLines;
      expect(ahead.hash(), shown).toBe(hashed ? hashLineAt(buf, start, end) : '');
      expect(viaNative.fingerprint, shown).toBe(hashed ? chainHashFingerprint(hashLineAt(buf, start, end)) : lineFingerprint(buf, start, end));
      result.bothTook++;
    } else if (jsTook) result.onlyJavaScriptTook++;
    result.lines++;
    start = end + 1;
  }
  ahead.end();
  return result;
}

function logLines(options: { operator?: typeof OPERATOR; count: number; seed: number; detailed?: boolean }): Buffer[] {
  const file = path.join(tempDir('native'), 'audit.log');
  generateLog({ path: file, count: options.count, seed: options.seed, runningShare: 0.05, detailed: options.detailed === true, ...(options.operator ? { operator: options.operator } : {}) });
  const text = fs.readFileSync(file);
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = text.indexOf(10); nl !== -1; nl = text.indexOf(10, start)) {
    lines.push(text.subarray(start, nl));
    start = nl + 1;
  }
  return lines;
}

const MUTATIONS = ['"', '\\', '0', '9', '-', '+', 'e', 'E', '.', ',', ':', '{', '}', '[', ']', ' ', 'n', 't', '\u00e9', '\u0000', '\u00ff', 'null', '1e999', '-0', '00', '2026-02-30', 'T25:', '.123456789', 'Z', '+01:00'];

/** Real lines with a few bytes changed, inserted or deleted, keys duplicated or lines cut. */
function mutated(lines: Buffer[], count: number, seed: number): Buffer[] {
  // Seeded: the same hostile lines on every run.
  const next = seededRandom(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)];
  const out: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    let s = pick(lines).toString('latin1');
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * s.length);
      const how = next();
      if (how < 0.4) s = s.slice(0, at) + Buffer.from(pick(MUTATIONS)).toString('latin1') + s.slice(at + 1);
      else if (how < 0.7) s = s.slice(0, at) + Buffer.from(pick(MUTATIONS)).toString('latin1') + s.slice(at);
      else if (how < 0.85) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 8));
      else if (how < 0.95) {
        // A key and its value again, elsewhere.
        const m = /"[a-z_]+":("[^"]*"|[0-9.]+|true|false|null)/.exec(s.slice(at));
        if (m) s = `${s.slice(0, s.length - 1)},${m[0]}}`;
      } else s = s.slice(0, at);
    }
    out.push(Buffer.from(s, 'latin1'));
  }
  return out;
}

/**
 * Each LAYOUT the slots have had, as lines.rs defines them. An addon is trusted by its layout
 * number (native-scanner.ts): slots changed under the same number would be read wrong from an
 * addon built before the change (not rebuilt, or restored). A new layout gets a new number here.
 */
const LAYOUTS: Record<number, string> = {
  1: 'B_CHAINED=1 B_FAILED=8 B_HASHED=16 B_POLICY=4 B_PRIVILEGED=2 INT_SLOTS=24 I_BITS=4 I_COMMAND_END=15 I_COMMAND_START=14 I_DECISION=20 I_END=1 I_ERROR_END=19 I_ERROR_START=18 I_HOST_END=9 I_HOST_START=8 I_ID_END=7 I_ID_START=6 I_KIND=3 I_PREV_START=5 I_REASON_END=13 I_REASON_START=12 I_REJECT=21 I_RESOLVED_END=17 I_RESOLVED_START=16 I_SESSION_END=11 I_SESSION_START=10 I_START=0 I_STATUS=2 I_USER_END=23 I_USER_START=22 NUM_SLOTS=6 N_DURATION=4 N_ID_HASH=1 N_LATENCY=3 N_SEQ=0 N_TIME=2 N_UID=5 OPTION_HASH=1',
  2: 'B_CHAINED=1 B_FAILED=8 B_HASHED=16 B_POLICY=4 B_PRIVILEGED=2 INT_SLOTS=24 I_BITS=4 I_COMMAND_END=15 I_COMMAND_START=14 I_DECISION=20 I_END=1 I_ERROR_END=19 I_ERROR_START=18 I_HOST_END=9 I_HOST_START=8 I_ID_END=7 I_ID_START=6 I_KIND=3 I_PREV_START=5 I_REASON_END=13 I_REASON_START=12 I_REJECT=21 I_RESOLVED_END=17 I_RESOLVED_START=16 I_SESSION_END=11 I_SESSION_START=10 I_START=0 I_STATUS=2 I_USER_END=23 I_USER_START=22 NUM_SLOTS=7 N_DURATION=4 N_ID_HASH=1 N_LATENCY=3 N_PRINT=6 N_SEQ=0 N_TIME=2 N_UID=5 OPTION_HASH=1',
  3: 'B_CHAINED=1 B_FAILED=8 B_HASHED=16 B_LINKS_BEFORE=32 B_POLICY=4 B_PRIVILEGED=2 INT_SLOTS=24 I_BITS=4 I_COMMAND_END=15 I_COMMAND_START=14 I_DECISION=20 I_END=1 I_ERROR_END=19 I_ERROR_START=18 I_HOST_END=9 I_HOST_START=8 I_ID_END=7 I_ID_START=6 I_KIND=3 I_PREV_START=5 I_REASON_END=13 I_REASON_START=12 I_REJECT=21 I_RESOLVED_END=17 I_RESOLVED_START=16 I_SESSION_END=11 I_SESSION_START=10 I_START=0 I_STATUS=2 I_USER_END=23 I_USER_START=22 NUM_SLOTS=7 N_DURATION=4 N_ID_HASH=1 N_LATENCY=3 N_PRINT=6 N_SEQ=0 N_TIME=2 N_UID=5 OPTION_HASH=1',
  // 4: scanPlain's slots, for a line read back (plain-line.ts).
  4: 'B_CHAINED=1 B_FAILED=8 B_HASHED=16 B_LINKS_BEFORE=32 B_POLICY=4 B_PRIVILEGED=2 INT_SLOTS=24 I_BITS=4 I_COMMAND_END=15 I_COMMAND_START=14 I_DECISION=20 I_END=1 I_ERROR_END=19 I_ERROR_START=18 I_HOST_END=9 I_HOST_START=8 I_ID_END=7 I_ID_START=6 I_KIND=3 I_PREV_START=5 I_REASON_END=13 I_REASON_START=12 I_REJECT=21 I_RESOLVED_END=17 I_RESOLVED_START=16 I_SESSION_END=11 I_SESSION_START=10 I_START=0 I_STATUS=2 I_USER_END=23 I_USER_START=22 NUM_SLOTS=7 N_DURATION=4 N_ID_HASH=1 N_LATENCY=3 N_PRINT=6 N_SEQ=0 N_TIME=2 N_UID=5 OPTION_HASH=1 PLAIN_NUMS=3 P_BITS=1 P_ID_HASH=2 P_KIND=0 P_PRINT=0 P_REJECT=2 P_SEQ=1 P_SPANS=3',
  // 5: no slot changed: `populate` was added, which an addon built before lacks.
  5: 'B_CHAINED=1 B_FAILED=8 B_HASHED=16 B_LINKS_BEFORE=32 B_POLICY=4 B_PRIVILEGED=2 INT_SLOTS=24 I_BITS=4 I_COMMAND_END=15 I_COMMAND_START=14 I_DECISION=20 I_END=1 I_ERROR_END=19 I_ERROR_START=18 I_HOST_END=9 I_HOST_START=8 I_ID_END=7 I_ID_START=6 I_KIND=3 I_PREV_START=5 I_REASON_END=13 I_REASON_START=12 I_REJECT=21 I_RESOLVED_END=17 I_RESOLVED_START=16 I_SESSION_END=11 I_SESSION_START=10 I_START=0 I_STATUS=2 I_USER_END=23 I_USER_START=22 NUM_SLOTS=7 N_DURATION=4 N_ID_HASH=1 N_LATENCY=3 N_PRINT=6 N_SEQ=0 N_TIME=2 N_UID=5 OPTION_HASH=1 PLAIN_NUMS=3 P_BITS=1 P_ID_HASH=2 P_KIND=0 P_PRINT=0 P_REJECT=2 P_SEQ=1 P_SPANS=3',
  // 6: `entryJson` was added (entry_json.rs: its PART_* bits say what it writes).
  6: 'B_CHAINED=1 B_FAILED=8 B_HASHED=16 B_LINKS_BEFORE=32 B_POLICY=4 B_PRIVILEGED=2 INT_SLOTS=24 IO_AT=0 IO_PARTS=1 IO_PLACES=2 IO_SLOTS=8 I_BITS=4 I_COMMAND_END=15 I_COMMAND_START=14 I_DECISION=20 I_END=1 I_ERROR_END=19 I_ERROR_START=18 I_HOST_END=9 I_HOST_START=8 I_ID_END=7 I_ID_START=6 I_KIND=3 I_PREV_START=5 I_REASON_END=13 I_REASON_START=12 I_REJECT=21 I_RESOLVED_END=17 I_RESOLVED_START=16 I_SESSION_END=11 I_SESSION_START=10 I_START=0 I_STATUS=2 I_USER_END=23 I_USER_START=22 NUM_SLOTS=7 N_DURATION=4 N_ID_HASH=1 N_LATENCY=3 N_PRINT=6 N_SEQ=0 N_TIME=2 N_UID=5 OPTION_HASH=1 PART_HEAD=1 PART_OUTCOME=8 PART_REQUEST=2 PART_SECURITY=4 PART_TAIL=16 PLAIN_NUMS=3 P_BITS=1 P_ID_HASH=2 P_KIND=0 P_PRINT=0 P_REJECT=2 P_SEQ=1 P_SPANS=3',
};
const SLOT = /\b((?:I|N|B|P|PART|IO)_[A-Z_]+|INT_SLOTS|NUM_SLOTS|PLAIN_NUMS|OPTION_HASH)(?:: \w+)? = (\d+)\b/g;
/** The slots the files name, each once (plain-line.ts names some native-lines.ts does). */
const slotsIn = (...files: string[]) => [...new Set(files.flatMap((file) => [...fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(SLOT)].map((m) => `${m[1]}=${m[2]}`)))].sort().join(' ');
/** A `[b"…", …]` list of scan.rs, as strings. */
function rustList(name: string): string[] {
  const source = fs.readFileSync(path.join(REPO_ROOT, 'native/src/scan.rs'), 'utf8');
  const m = new RegExp(`const ${name}: \\[&\\[u8\\]; \\d+\\] = \\[([^\\]]*)\\]`).exec(source);
  if (!m) throw new Error(`scan.rs has no ${name}`);
  return [...m[1].matchAll(/b"([^"]*)"/g)].map((x) => x[1]);
}

describe("the native scanner's constants against the JavaScript's (an addon is trusted by its layout number)", () => {
  it('lines.rs has the slots native-slots.ts names, under the layout number native-scanner.ts expects, and a change to them has a number of its own', () => {
    expect(slotsIn('native/src/lines.rs', 'native/src/entry_json.rs')).toBe(slotsIn('src/engine/native-slots.ts', 'src/engine/plain-line.ts'));
    // A line read back has a span for each key: as many as record-keys.ts has.
    expect(fs.readFileSync(path.join(REPO_ROOT, 'native/src/scan.rs'), 'utf8')).toContain(`pub const KEY_COUNT: usize = ${KEYS.length};`);
    expect(fs.readFileSync(path.join(REPO_ROOT, 'native/src/lines.rs'), 'utf8')).toContain(`pub const LAYOUT: u32 = ${NATIVE_LAYOUT};`);
    expect(slotsIn('native/src/lines.rs', 'native/src/entry_json.rs'), `the slots changed: give LAYOUT (lines.rs, native-scanner.ts) a new number, and add it to LAYOUTS here`).toBe(LAYOUTS[NATIVE_LAYOUT]);
  });

  it("scan.rs's decisions, reject kinds and escalations are format-constants.ts's, in order (a slot holds an index into them)", () => {
    expect(rustList('DECISIONS')).toEqual([...DECISIONS]);
    expect(rustList('REJECT_KINDS')).toEqual([...REJECT_KINDS]);
    expect(rustList('ESCALATIONS')).toEqual([...ESCALATIONS]);
  });
});

describe.skipIf(addon === null)('the native scanner against the JavaScript one', () => {
  it("takes every line of the writer's that the JavaScript scanner takes, with the same fields and chain hash", () => {
    const lines = logLines({ count: 4000, seed: 11 });
    const r = compare(lines);
    expect(r.onlyJavaScriptTook).toBe(0);
    expect(r.bothTook).toBeGreaterThan(0.95 * r.lines);
    // The writer's chain: nearly every line links to the one before.
    expect(r.linked).toBeGreaterThan(0.9 * r.lines);
  });

  it('reads a line back (print --json) with the fingerprint the index gave it, and takes it as plain only where the JavaScript scanner takes it, with the same facts', () => {
    const lines = logLines({ count: 1500, seed: 19, operator: OPERATOR, detailed: true });
    // Damaged copies too: a byte flipped, cut short, a DEL, a key unknown.
    const random = seededRandom(5);
    const damaged = lines.slice(0, 300).map((line, k) => {
      const copy = Buffer.from(line);
      if (k % 4 === 0) copy[Math.floor(random() * copy.length)] ^= 1 << Math.floor(random() * 8);
      else if (k % 4 === 1) return copy.subarray(0, Math.floor(random() * copy.length));
      else if (k % 4 === 2) return Buffer.from(copy.toString('latin1').replace(/"reason":"/, '"reason":"\u007f'), 'latin1');
      else return Buffer.from(copy.toString('latin1').replace(/^\{/, '{"x":1,'), 'latin1');
      return copy;
    });
    nativeAddon(); // (loaded by an index first, in use)
    const scan = PlainLine.shared();
    if (scan === null) throw new Error('no addon');
    const js = newCompactRecord();
    let plain = 0;
    for (const line of [...lines, ...damaged]) {
      for (const hashed of [true, false]) {
        scan.scan(line, hashed);
        expect(scan.print).toBe(hashed ? chainHashFingerprint(hashLineAt(line, 0, line.length)) : lineFingerprint(line, 0, line.length));
      }
      const jsPlain = scanRecord(line, 0, line.length, js) && !line.includes(0x7f);
      if (!scan.plain) continue;
      plain++;
      expect(jsPlain, line.toString('latin1')).toBe(true);
      expect({ kind: scan.kind, chained: scan.chained, seq: scan.chained ? scan.seq : -1, idHash: scan.idHash, reject: scan.reject }).toEqual({ kind: js.kind, chained: js.chained, seq: js.chained ? js.seq : -1, idHash: js.idHash, reject: js.reject });
    }
    expect(plain).toBeGreaterThan(0.95 * lines.length);
  });

  it("gives a line's scan only to the reader that read it, and only until another line is scanned (one scanner for every reader)", async () => {
    nativeAddon();
    const engines = [1, 2].map((seed) => {
      const file = path.join(tempDir('native'), 'audit.log');
      generateLog({ path: file, count: 200, seed });
      return openEngine([file], { follow: false });
    });
    try {
      for (const e of engines) await e.indexed();
      const [a, b] = engines.map((e) => e.entryLines?.(0) as EntryLines);
      expect(a.read('request')).not.toBeNull();
      expect(a.scanned?.('request')?.idHash).toBe(a.idHash);
      expect(a.scanned?.('response')).toBeNull();
      expect(b.read('request')).not.toBeNull();
      // The scanner's fields are b's line's now.
      expect(a.scanned?.('request')).toBeNull();
      expect(b.scanned?.('request')?.idHash).toBe(b.idHash);
    } finally {
      for (const e of engines) await e.close();
    }
  });

  it('gives each line the fingerprint of its bytes when the chain is not checked (no line hashed)', () => {
    const r = compare(logLines({ count: 2000, seed: 17 }), false);
    expect(r.onlyJavaScriptTook).toBe(0);
    expect(r.bothTook).toBeGreaterThan(0.95 * r.lines);
  });

  it("takes a daemon's lines, which carry an operator, reject kinds, escalations and client versions, with the same fields", () => {
    const lines = logLines({ count: 4000, seed: 12, operator: OPERATOR, detailed: true });
    // Every reject kind, escalation and decision is in them: a slot holds an index into those lists.
    const text = Buffer.concat(lines).toString('latin1');
    for (const kind of REJECT_KINDS) expect(text).toContain(`"reject":"${kind}"`);
    for (const escalation of ESCALATIONS) expect(text).toContain(`"escalation":"${escalation}"`);
    for (const decision of DECISIONS) expect(text).toContain(`"decision":"${decision}"`);
    const r = compare(lines);
    expect(r.onlyJavaScriptTook).toBe(0);
    expect(r.bothTook).toBeGreaterThan(0.95 * r.lines);
  });

  it('never takes a hostile line differently: it agrees or declines', () => {
    const real = [...logLines({ count: 2000, seed: 13 }), ...logLines({ count: 2000, seed: 14, operator: OPERATOR, detailed: true })];
    const r = compare(mutated(real, 30_000, 99));
    // Most mutations make a line invalid; those that keep it valid must still be read alike.
    expect(r.lines).toBe(30_000);
    expect(r.bothTook).toBeGreaterThan(1000);
  });

  it('reads lines that run to the end of a buffer without a newline only when told it is the last', () => {
    const [line] = logLines({ count: 10, seed: 15 }).filter((l) => l.includes('"type":"request"'));
    const ahead = scannedAhead(true);
    const r = newCompactRecord();
    ahead?.begin(line, 0, line.length, false);
    expect(ahead?.take(line, 0, line.length, r)).toBe(false);
    ahead?.begin(line, 0, line.length, true);
    expect(ahead?.take(line, 0, line.length, r)).toBe(true);
    expect(ahead?.hash()).toBe(hashLineAt(line, 0, line.length));
  });

  it('gives nothing for a buffer it did not scan, nor for a line behind its cursor, nor anything after that', () => {
    const lines = logLines({ count: 10, seed: 16 }).filter((l) => l.includes('"type":"request"')).slice(0, 3);
    const buf = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    const ahead = scannedAhead(true);
    const r = newCompactRecord();
    ahead?.begin(buf, 0, buf.length, false);
    expect(ahead?.take(Buffer.from(buf), 0, lines[0].length, r)).toBe(false);
    const second = lines[0].length + 1;
    expect(ahead?.take(buf, second, second + lines[1].length, r)).toBe(true);
    // Behind the cursor: out of step, it trusts nothing after.
    expect(ahead?.take(buf, 0, lines[0].length, r)).toBe(false);
    const third = second + lines[1].length + 1;
    expect(ahead?.take(buf, third, third + lines[2].length, r)).toBe(false);
  });

  it('skips the lines a reader passed over (one over the line cap) and goes on with the next', () => {
    const lines = logLines({ count: 10, seed: 18 }).filter((l) => l.includes('"type":"request"')).slice(0, 3);
    const buf = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    const ahead = scannedAhead(true);
    const r = newCompactRecord();
    ahead?.begin(buf, 0, buf.length, false);
    const third = lines[0].length + 1 + lines[1].length + 1;
    expect(ahead?.take(buf, third, third + lines[2].length, r)).toBe(true);
    expect(ahead?.hash()).toBe(hashLineAt(buf, third, third + lines[2].length));
  });

  it('refuses arguments that would let it read or write out of bounds', () => {
    const a = nativeAddon();
    const buf = Buffer.from('{}\n');
    const ints = new Int32Array(24);
    const nums = new Float64Array(7);
    const hex = new Uint8Array(64);
    expect(() => a?.scanLines(buf, 0, 4, 0, 1, 0, 0, ints, nums, hex)).toThrow(/within buf/);
    expect(() => a?.scanLines(buf, 2, 1, 0, 1, 0, 0, ints, nums, hex)).toThrow(/within buf/);
    expect(() => a?.scanLines(buf, 0, 3, 0, 1, 0, 0, new Int32Array(buf.buffer, buf.byteOffset & ~3, 1), nums, hex)).toThrow();
    expect(() => a?.scanLines(buf, 0, 3, 0, 1, 0, 0, ints, nums, buf)).toThrow(/overlap/);
    // Two outputs over one memory: each line's slots would be written over another's.
    const shared = new ArrayBuffer(4096);
    expect(() => a?.scanLines(buf, 0, 3, 0, 1, 0, 0, new Int32Array(shared, 0, 24), nums, new Uint8Array(shared, 64, 64))).toThrow(/overlap/);
    expect(a?.scanLines(buf, 0, 3, 0, 1, 0, 0, new Int32Array(0), nums, hex)).toBe(0);
    const scanLines = a?.scanLines as unknown as (...args: unknown[]) => number;
    expect(() => scanLines(buf, 0, 3, 0, 1, 0, ints, nums, hex)).toThrow(/10 arguments/);
    expect(() => a?.scanLines(buf, 0, Number.NaN, 0, 1, 0, 0, ints, nums, hex)).toThrow(/within buf/);
    expect(() => a?.scanLines(buf, 0, '3' as never, 0, 1, 0, 0, ints, nums, hex)).toThrow(/must be numbers/);
  });

  it('populate faults in the pages of a typed array at once, its contents kept', () => {
    const a = nativeAddon();
    // 16 MB never written: calloc'd pages the kernel has not given yet.
    const fresh = new Float64Array(2 * 1024 * 1024);
    fresh[0] = 1.5;
    fresh[fresh.length - 1] = -2;
    const rss = () => process.memoryUsage().rss;
    const before = rss();
    expect(a?.populate(fresh.subarray(1, fresh.length - 1))).toBe(true);
    expect(rss() - before).toBeGreaterThan(12 * 1024 * 1024);
    expect([fresh[0], fresh[1], fresh[fresh.length - 1]]).toEqual([1.5, 0, -2]);
    // A view of a few bytes holds no whole page: nothing to do, and nothing refused.
    expect(a?.populate(new Uint8Array(10))).toBe(true);
    expect(() => (a?.populate as unknown as (v: unknown) => boolean)({ length: 3 })).toThrow(/typed array/);
  });

  it('refuses a line read back (scanPlain) with arguments that would let it read or write out of bounds', () => {
    const a = nativeAddon();
    const line = Buffer.from('{"v":1}');
    // Slots for one line read back: 3 + 2 a key (record-keys.ts: 30 keys), and 3 numbers.
    const ints = new Int32Array(3 + 2 * KEYS.length);
    const nums = new Float64Array(3);
    expect(a?.scanPlain(line, 0, line.length, 1, 0, 0, ints, nums)).toBe(false);
    expect(() => a?.scanPlain(line, 0, line.length + 1, 1, 0, 0, ints, nums)).toThrow(/within buf/);
    expect(() => a?.scanPlain(line, 3, 2, 1, 0, 0, ints, nums)).toThrow(/within buf/);
    expect(() => a?.scanPlain(line, Number.NaN, 2, 1, 0, 0, ints, nums)).toThrow(/within buf/);
    expect(() => a?.scanPlain(line, 0.5, line.length, 1, 0, 0, ints, nums)).toThrow(/whole numbers/);
    expect(() => a?.scanLines(line, 0, 2.5, 0, 1, 0, 0, new Int32Array(24), new Float64Array(7), new Uint8Array(64))).toThrow(/whole numbers/);
    expect(() => a?.scanPlain(line, 0, 2, 1, 0, 0, new Int32Array(ints.length - 1), nums)).toThrow(/PLAIN_INTS/);
    expect(() => a?.scanPlain(line, 0, 2, 1, 0, 0, ints, new Float64Array(2))).toThrow(/PLAIN_NUMS/);
    expect(() => a?.scanPlain(line, 0, 2, 1, 0, 0, ints, nums.subarray(0, 2) as never)).toThrow(/PLAIN_NUMS/);
    const shared = new ArrayBuffer(4096);
    expect(() => a?.scanPlain(new Uint8Array(shared, 0, 64), 0, 64, 1, 0, 0, new Int32Array(shared, 32, ints.length), nums)).toThrow(/overlap/);
    expect(() => a?.scanPlain(line, 0, 2, 1, 0, 0, ints as never, ints as never)).toThrow(/must be/);
    const scanPlain = a?.scanPlain as unknown as (...args: unknown[]) => boolean;
    expect(() => scanPlain(line, 0, 2, 1, 0, ints, nums)).toThrow(/8 arguments/);
  });

  it("refuses to write an entry's JSON (entryJson) where it would read or write out of bounds, and declines spans outside the line", () => {
    const a = nativeAddon();
    if (a === null) throw new Error('the addon is not built');
    const line = Buffer.from('{"v":1,"type":"response","id":"a","time":"t","status":"ok","error":null,"stages":[],"stdout_len":0,"stdout_truncated":false,"duration_ms":1}');
    const ints = new Int32Array(3 + 2 * KEYS.length);
    const nums = new Float64Array(3);
    expect(a.scanPlain(line, 0, line.length, 0, 0, 0, ints, nums)).toBe(true);
    const spans = ints.subarray(3);
    const out = Buffer.alloc(4096);
    const io = new Float64Array(IO_SLOTS);
    const t = Buffer.from('""');
    const write = (...args: unknown[]) => (a.entryJson as unknown as (...args: unknown[]) => number)(...args);
    io[IO_PARTS] = PART_OUTCOME;
    io[IO_AT] = 10;
    const end = write(line, spans, out, io, t, t, t, t, t);
    expect(out.subarray(10, end).toString()).toBe(',"completed_time":"t","status":"ok","error":null,"exit_codes":[],"stages":[],"stdout_len":0,"stdout_truncated":false,"duration_ms":1');
    // No room from `at`: nothing written past `out`.
    const small = Buffer.alloc(40, 0x2a);
    io[IO_AT] = 0;
    expect(write(line, spans, small.subarray(0, 20), io, t, t, t, t, t)).toBe(-2);
    expect(small.subarray(20).toString()).toBe('*'.repeat(20));
    // A span past the line: declined, not read.
    const past = Int32Array.from(spans);
    past[2 * KEYS.indexOf('time') + 1] = line.length + 1;
    expect(write(line, past, out, io, t, t, t, t, t)).toBe(-1);
    io[IO_AT] = out.length + 1;
    expect(() => write(line, spans, out, io, t, t, t, t, t)).toThrow(/within out/);
    io[IO_AT] = 0.5;
    expect(() => write(line, spans, out, io, t, t, t, t, t)).toThrow(/within out/);
    io[IO_AT] = 0;
    io[IO_PARTS] = -1;
    expect(() => write(line, spans, out, io, t, t, t, t, t)).toThrow(/parts a whole number/);
    io[IO_PARTS] = PART_OUTCOME;
    expect(() => write(line, spans.subarray(1), out, io, t, t, t, t, t)).toThrow(/two numbers a key/);
    expect(() => write(line, spans, out, io.subarray(1), t, t, t, t, t)).toThrow(/IO_SLOTS/);
    expect(() => write(line, spans, out, io, t, t, out.subarray(5, 9), t, t)).toThrow(/overlaps/);
    expect(() => write(out.subarray(0, 8), spans, out.subarray(4), io, t, t, t, t, t)).toThrow(/overlaps/);
    expect(() => write(line, spans, out, io, t, t, t, t, 'x')).toThrow(/must be Uint8Array/);
    expect(() => write(line, spans, out, io, t, t, t, t)).toThrow(/9 arguments/);
  });
});

/** Stats, entries, the chain's verdict and the lines' fingerprints of `file`, read with the addon allowed or not. */
async function indexed(file: string, native: boolean, options: OpenEngineOptions) {
  // (A scan worker loads the addon itself, seeing the same variable.)
  if (native) delete process.env.SUDO_PROXY_AUDIT_NATIVE;
  else process.env.SUDO_PROXY_AUDIT_NATIVE = '0';
  forgetNativeAddon();
  forgetScannedAhead();
  const engine = openEngine([file], { follow: false, ...options });
  await engine.indexed();
  const result = { stats: engine.stats(), entries: entriesOf(engine), chain: engine.chainStatus?.(), malformed: engine.malformedCount(), prints: Array.from((engine as unknown as Required<HostEngine>).linePrints()) };
  await engine.close();
  return result;
}

/** Lines this thread's native scanner gave since the last `forgetScannedAhead` (0 without the addon). */
const takenHere = () => scannedAhead(true)?.taken ?? 0;

/** Of them, lines taken from a chunk's slots scanned before (by a scan worker, or by the pool on this thread). */
const takenFromChunks = () => scannedAhead(true)?.takenFromChunks ?? 0;

describe("a chunk's lines scanned for another thread (scan workers)", () => {
  it('are read to the same index as line by line when they are short (chunks cut at their line cap), and their slots are let go once read (the last chunk held ~100 MB)', async () => {
    if (addon === null) return;
    const dir = tempDir('native-short-lines');
    const file = path.join(dir, 'audit.log');
    generateLog({ path: file, count: 400, seed: 5, runningShare: 0.05, operator: OPERATOR, detailed: true });
    const records = fs.readFileSync(file);
    const half = records.indexOf(0x0a, records.length >> 1) + 1;
    // Blank lines among the records: malformed lines, and reads of far more lines than a chunk holds.
    fs.writeFileSync(file, Buffer.concat([records.subarray(0, half), Buffer.alloc(1024 * 1024, 0x0a), records.subarray(half)]));
    const reference = await indexed(file, false, { tailBytes: 1000 });
    expect(reference.malformed).toBe(1024 * 1024);
    for (const scanWorkers of [0, 1]) {
      expect(await indexed(file, true, { tailBytes: 1000, parallelMinBytes: 0, scanWorkers, queueForStartingWorkers: true }), `${scanWorkers} workers`).toEqual(reference);
      expect(takenFromChunks()).toBeGreaterThan(200);
      const held = (scannedAhead(true) as unknown as { ints: Int32Array }).ints.buffer.byteLength;
      expect(held, 'slots held once the engine is closed').toBeLessThan(1024 * 1024);
    }
  });
});

describe('the engine with and without the native scanner', () => {

  // (A worker's records are made in its own thread: this one's count says nothing of them. A
  // worker's lines' slots are taken here, from the chunk.)
  const readings: Array<[string, OpenEngineOptions, 'here' | 'from chunks' | 'in a worker']> = [
    ['line by line', { tailBytes: 1000 }, 'here'],
    ['in chunks on this thread, each chunk scanned whole first', { tailBytes: 1000, parallelMinBytes: 0, scanWorkers: 0 }, 'from chunks'],
    ['in chunks whose lines a scan worker scans', { tailBytes: 1000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true }, 'from chunks'],
    ['in small chunks whose lines a scan worker scans', { tailBytes: 1000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 3000 }, 'from chunks'],
    ['in chunks on this thread, into records', { tailBytes: 1000, parallelMinBytes: 0, scanWorkers: 0, scanInto: 'records' }, 'here'],
    ['in chunks a scan worker makes into records', { tailBytes: 1000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanInto: 'records' }, 'in a worker'],
  ];
  for (const [how, options, where] of readings) {
    it(`indexes a log ${how} to the same entries, statistics, chain verdict and line fingerprints, intact and tampered`, async () => {
      const dir = tempDir('native-engine');
      const file = path.join(dir, 'audit.log');
      generateLog({ path: file, count: 3000, seed: 21, runningShare: 0.05, operator: OPERATOR, detailed: true });
      expect(fs.statSync(file).size).toBeGreaterThan(256 * 1024);
      const intact = await indexed(file, false, options);
      expect(intact.malformed).toBe(0);
      expect(intact.chain).toBeDefined();
      expect(intact.prints.length).toBeGreaterThan(0);
      expect(await indexed(file, true, options)).toEqual(intact);
      // The native scanner read them (agreeing is not enough: the JavaScript alone agrees too).
      if (addon !== null && where === 'here') expect(takenHere()).toBeGreaterThan(2000);
      if (addon !== null && where === 'from chunks') expect(takenFromChunks()).toBeGreaterThan(2000);
      // One byte of one request's host changed: the chain must break at the same place both ways.
      const bytes = fs.readFileSync(file);
      const at = bytes.indexOf('"host":"', bytes.length >> 1) + 8;
      bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61;
      fs.writeFileSync(file, bytes);
      const tampered = await indexed(file, false, options);
      expect(tampered.chain).not.toEqual(intact.chain);
      expect(await indexed(file, true, options)).toEqual(tampered);
    });
  }
});
