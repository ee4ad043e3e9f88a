/**
 * `print --json` from the lines' bytes (entry-json-bytes.ts) against the path it stands in
 * for, `jsonForTerminal(entryJson(engine.entry(p)))`: for every entry it writes, the same
 * bytes. Logs full of what a line may hold that the fast path must not copy blindly (escapes,
 * U+2028/2029, lone surrogates, invalid UTF-8, NUL, DEL, duplicate keys, huge numbers, -0,
 * 1e400, 1.0, keys in odd order, unknown fields, nested objects, whitespace) — and plain logs,
 * where it must write every entry itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EntryJsonBytes } from '../../src/cli/commands/entry-json-bytes.js';
import { entryJson } from '../../src/cli/commands/entry-json.js';
import { generateLog } from '../../src/demo/generate.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openEngine } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { loadedNativeAddon } from '../../src/engine/native-scanner.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { jsonForTerminal } from '../../src/shared/sanitize.js';
import { READ_BACKS } from '../helpers/read-backs.js';
import { request, response } from '../helpers/records.js';
import { makeTempDirFactory } from './helpers.js';

const tempDir = makeTempDirFactory('spa-entry-json-bytes');

/**
 * Every entry both ways: how many the fast path wrote (`native`: of those, how many the addon
 * wrote, from lines the native scanner read), and the first difference.
 */
function compareAll(engine: AuditEngine): { fast: number; native: number; size: number; diff: { fast: string; slow: string } | null } {
  const writer = new EntryJsonBytes();
  let fast = 0;
  let native = 0;
  const size = engine.size();
  const addon = loadedNativeAddon();
  const calls = addon === null ? null : vi.spyOn(addon, 'entryJson');
  try {
    for (let p = 0; p < size; p++) {
      const lines = engine.entryLines?.(p);
      const before = calls?.mock.results.length ?? 0;
      if (!lines || !writer.write(lines)) continue;
      fast++;
      // The addon wrote the entry's end (after a retry for room, if it had to).
      const last = calls?.mock.results.at(-1);
      if (lines.scanned?.(lines.hasResponse ? 'response' : 'request') && (calls?.mock.results.length ?? 0) > before && (last?.value as number) >= 0) native++;
      const mine = writer.bytes.subarray(0, writer.length).toString('utf8');
      const slow = `${jsonForTerminal(entryJson(engine.entry(p)))}\n`;
      if (mine !== slow) return { fast, native, size, diff: { fast: mine, slow } };
    }
  } finally {
    calls?.mockRestore();
  }
  return { fast, native, size, diff: null };
}

async function openIndexed(files: string[]): Promise<AuditEngine> {
  const engine = openEngine(files, { follow: false });
  await engine.indexed();
  return engine;
}

// ---- hostile logs ----

/** A number and the way it is written (the same value for JSON.parse). */
class Num {
  constructor(readonly text: string) {}
}
const ODD_CHARS = ['\ud800', '\udfff', '\u2028', '\u2029', '\u007f', '\u0000', '\u001b', '\u0085', '\u200e', '\ufeff', 'é', '😀', '"', '\\', '/', '\t', '\n'];
const oddChar = fc.oneof(fc.constantFrom(...ODD_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const text = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9 ./:-]{0,10}$/) }, { weight: 1, arbitrary: fc.string({ unit: oddChar, maxLength: 6 }) });
const plainInt = (n: number) => new Num(String(n));
/** Non-negative numbers, in JSON.stringify's form or in another form of the same value. */
const number = fc.oneof(
  { weight: 6, arbitrary: fc.nat(100_000).map(plainInt) },
  { weight: 1, arbitrary: fc.nat(1000).map((n) => new Num(`${n}.0`)) },
  { weight: 1, arbitrary: fc.nat(1000).map((n) => new Num(`${n}e0`)) },
  { weight: 1, arbitrary: fc.constantFrom('-0', '0.5', '1E2', '1000.0', '12345678901234567890', '1e400', '9007199254740993', '000').map((t) => new Num(t)) },
);
const exitCode = fc.oneof(fc.integer({ min: -1, max: 255 }).map(plainInt), fc.constantFrom('-0', '1.0', '-1e0').map((t) => new Num(t)));
const isoTime = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }).map((ms) => new Date(ms).toISOString()),
  fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }).map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')),
  text,
);
const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });

interface Form {
  order: 'writer' | 'reverse' | 'sorted';
  strings: 'json' | 'unicode' | 'slash';
  spaces: boolean;
  /** The operator object's keys in the writer's order whatever `order` says (the fast path takes no other). */
  operatorInOrder: boolean;
  /** What else the line gets. */
  extra: 'none' | 'duplicate' | 'unknown' | 'badUtf8' | 'nul' | 'trailingSpace';
}
const form: fc.Arbitrary<Form> = fc.record({
  order: fc.constantFrom('writer', 'writer', 'reverse', 'sorted'),
  strings: fc.constantFrom('json', 'json', 'json', 'unicode', 'slash'),
  spaces: fc.constantFrom(false, false, false, true),
  operatorInOrder: fc.boolean(),
  extra: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'duplicate', 'unknown', 'badUtf8', 'nul', 'trailingSpace'),
});

function renderString(s: string, f: Form): string {
  const json = JSON.stringify(s);
  if (f.strings === 'unicode') return json.replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (f.strings === 'slash') return json.replace(/\//g, '\\/');
  return json;
}

function render(value: unknown, f: Form): string {
  const sp = f.spaces ? ' ' : '';
  if (value instanceof Num) return value.text;
  if (typeof value === 'string') return renderString(value, f);
  if (Array.isArray(value)) return `[${sp}${value.map((v) => render(v, f)).join(`,${sp}`)}${sp}]`;
  if (value !== null && typeof value === 'object') {
    let keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    const inOrder = f.operatorInOrder && 'uid' in value;
    if (f.order === 'reverse' && !inOrder) keys = keys.reverse();
    if (f.order === 'sorted' && !inOrder) keys = keys.sort();
    return `{${sp}${keys.map((k) => `${renderString(k, f)}:${sp}${render((value as Record<string, unknown>)[k], f)}`).join(`,${sp}`)}${sp}}`;
  }
  return JSON.stringify(value);
}

function line(record: Record<string, unknown>, f: Form): Buffer {
  let text = render(record, f);
  if (f.extra === 'duplicate') text = `${text.slice(0, -1)},"host":"again","time":"2026-01-01T00:00:00Z"}`;
  if (f.extra === 'unknown') text = `${text.slice(0, -1)},"x_extra":{"a":[1,{"b":null}],"c":"\\u2028"}}`;
  if (f.extra === 'trailingSpace') text = `${text} `;
  const bytes = Buffer.from(text, 'utf8');
  if (f.extra === 'badUtf8' || f.extra === 'nul') {
    // Into the middle of the first string value after "id": a byte no valid line has there.
    const at = bytes.indexOf('"time"');
    if (at > 0) bytes[at + 9] = f.extra === 'nul' ? 0x00 : 0xff;
  }
  return bytes;
}

const operatorOf = (text: fc.Arbitrary<string>, number: fc.Arbitrary<Num>) => fc.record({ uid: number, user: text, tty: fc.option(text), hostname: text });

const requestOf = (text: fc.Arbitrary<string>, number: fc.Arbitrary<Num>) => fc.record(
  {
    logged: isoTime,
    time: isoTime,
    host: text,
    session: text,
    pipeline: fc.array(fc.array(text, { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    resolved: fc.array(fc.option(text), { maxLength: 3 }),
    env_keys: fc.array(text, { maxLength: 3 }),
    reason: text,
    privileged: fc.boolean(),
    decision: fc.constantFrom('approved', 'approved', 'denied', 'timeout', 'rejected'),
    via: fc.constantFrom('operator', 'policy', 'pkexec'),
    latency_ms: fc.option(number),
    error: text,
    reject: fc.constantFrom('replay', 'busy', 'invalid_json'),
    always: fc.constant(true),
    escalation: fc.constantFrom('sudo', 'pkexec', 'none'),
    forward_agent: fc.boolean(),
    client_version: text,
    operator: operatorOf(text, number),
    truncated: fc.constant(true),
  },
  { requiredKeys: ['time', 'host', 'session', 'pipeline', 'resolved', 'env_keys', 'reason', 'privileged', 'decision', 'via', 'latency_ms'] },
);

const responseOf = (text: fc.Arbitrary<string>, number: fc.Arbitrary<Num>) => fc.record(
  {
    logged: isoTime,
    time: isoTime,
    status: fc.constantFrom('ok', 'ok', 'error'),
    error: fc.option(text),
    stages: fc.array(fc.record({ exit_code: exitCode, stderr_len: number, stderr_truncated: fc.boolean() }), { maxLength: 3 }),
    stdout_len: number,
    stdout_truncated: fc.boolean(),
    duration_ms: number,
    truncated: fc.constant(true),
  },
  { requiredKeys: ['time', 'status', 'error', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms'] },
);

/** One entry's lines: a request (or none: an orphan), its responses (none, one, two), each in its own form. */
const entryOf = (text: fc.Arbitrary<string>, number: fc.Arbitrary<Num>, form: fc.Arbitrary<Form>) => fc.record({
  id: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: text.filter((s) => s !== '') }),
  request: fc.option(fc.tuple(requestOf(text, number), form), { freq: 6 }),
  responses: fc.array(fc.tuple(responseOf(text, number), form), { maxLength: 2 }),
  chained: fc.boolean(),
  prev: hex64,
  restartAfter: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
});

/** A request made to fit the schema's rules most of the time (the rest is malformed: fine too). */
function fitted(r: Record<string, unknown>): Record<string, unknown> {
  const out = { ...r };
  if (out.decision !== 'rejected') delete out.reject;
  else if (out.error === undefined) out.error = 'refused';
  if (out.decision !== 'approved') delete out.always;
  return out;
}

/** Half the entries plain (what the writer writes, in any key order), half anything. */
const plainText = fc.stringMatching(/^[a-z0-9 ./:-]{0,10}$/);
const plainForm: fc.Arbitrary<Form> = fc.record({
  order: fc.constantFrom('writer', 'reverse', 'sorted'),
  strings: fc.constant('json'),
  spaces: fc.constant(false),
  operatorInOrder: fc.constant(true),
  extra: fc.constant('none'),
});
const entry = fc.oneof(entryOf(plainText, fc.nat(100_000).map(plainInt), plainForm), entryOf(text, number, form));
type EntryCase = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function logOf(entries: EntryCase[]): Buffer {
  const lines: Buffer[] = [];
  let seq = 1;
  const chain = (e: { chained: boolean; prev: string }) => (e.chained ? { seq: new Num(String(seq++)), prev: e.prev } : {});
  const later: Buffer[] = [];
  for (const e of entries) {
    if (e.request) {
      const [r, f] = e.request;
      lines.push(line({ v: 1, type: 'request', ...chain(e), ...fitted(r), id: e.id }, f));
    }
    e.responses.forEach(([r, f], i) => (i === 0 ? lines : later).push(line({ v: 1, type: 'response', ...chain(e), ...r, id: e.id }, f)));
    if (e.restartAfter) lines.push(Buffer.from('{"v":1,"type":"writer","time":"2026-01-01T00:00:00.000Z","event":"start","pid":7}'));
  }
  return Buffer.concat([...lines, ...later].flatMap((l) => [l, Buffer.from('\n')]));
}

/**
 * The lines read back are checked and scanned in JavaScript until the index loads the native
 * scanner (a read big enough to gain from it), by the native scanner after: every case both ways.
 */
describe.each(READ_BACKS)('print --json from the bytes, lines %s', (_name, load, native) => {
  beforeEach(load);
  /** Lines were read back the way this case says. */
  const expectReading = (r: { fast: number; native: number }) => expect(r.native > 0).toBe(native);

  it('writes the same bytes as the parsed path for every entry it writes, whatever the lines hold', async () => {
    const dir = tempDir();
    let runs = 0;
    let written = 0;
    let entries = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 12 }), async (list) => {
        const file = path.join(dir, `audit-${runs++}.log`);
        fs.writeFileSync(file, logOf(list));
        const engine = await openIndexed([file]);
        try {
          const r = compareAll(engine);
          written += r.fast;
          if (r.fast > 0) expectReading(r);
          entries += r.size;
          expect(r.diff?.fast).toBe(r.diff?.slow);
        } finally {
          await engine.close();
          fs.rmSync(file);
        }
      }),
      { numRuns: 200 },
    );
    // The hostile forms go the slow way; the rest, most entries, not.
    expect(written).toBeGreaterThan(entries / 4);
    expect(written).toBeLessThan(entries);
  }, 120_000);

  it('writes every entry of a plain log itself (the writer writes nothing it must leave)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    generateLog({ path: file, count: 3000, seed: 5, detailed: true });
    const engine = await openIndexed([file]);
    try {
      const r = compareAll(engine);
      expect(r.diff).toBeNull();
      expect(r.size).toBeGreaterThan(1000);
      expect(r.fast).toBe(r.size);
      expectReading(r);
    } finally {
      await engine.close();
    }
  });

  it('leaves an entry whose line holds a DEL to the parsed path, which escapes it (the scanner takes the line)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const lines = [request('plain'), response('plain'), request('del', { reason: 'look\u007fhere' }), response('del')];
    fs.writeFileSync(file, lines.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const engine = await openIndexed([file]);
    try {
      const r = compareAll(engine);
      expect(r.diff).toBeNull();
      expect([r.size, r.fast]).toEqual([2, 1]);
      expectReading(r);
    } finally {
      await engine.close();
    }
  });

  it('writes a fleet entry with its origin, escaped as the parsed path escapes it', async () => {
    const dir = tempDir();
    const origins = ['web-01', 'db\u001b[2Jprimary', 'caf\u00e9\u2028'];
    origins.forEach((origin, i) => {
      fs.mkdirSync(path.join(dir, origin));
      generateLog({ path: path.join(dir, origin, 'audit.log'), count: 200, seed: 11 + i });
    });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false });
    await engine.indexed();
    try {
      const r = compareAll(engine);
      expect(r.diff).toBeNull();
      expect(r.size).toBeGreaterThan(200);
      expect(r.fast).toBe(r.size);
      expectReading(r);
      const writer = new EntryJsonBytes();
      const seen = new Set<string>();
      for (let p = 0; p < r.size; p++) {
        const lines = engine.entryLines?.(p);
        if (!lines || !writer.write(lines)) throw new Error(`entry ${p}: not written from its bytes`);
        seen.add((JSON.parse(writer.bytes.subarray(0, writer.length).toString('utf8')) as { origin: string }).origin);
      }
      expect([...seen].sort()).toEqual([...origins].sort());
    } finally {
      await engine.close();
    }
  });

  it('writes an entry whose file name, escaped, is longer than the room made for its lines (more is made)', async () => {
    // 2,000 ESCs: 12 KB of `\u001b` in each record's place, where the room made was ~4 KB.
    const dir = path.join(tempDir(), ...Array.from({ length: 8 }, () => '\u001b'.repeat(250)));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'audit.log');
    generateLog({ path: file, count: 30, seed: 3 });
    const engine = await openIndexed([file]);
    try {
      const r = compareAll(engine);
      expect(r.diff).toBeNull();
      expect(r.fast).toBe(r.size);
      expectReading(r);
    } finally {
      await engine.close();
    }
  });
});
