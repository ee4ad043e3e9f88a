/**
 * Byte-mutating fuzz: logs written by the real writer, then damaged byte by byte as a failing
 * disk or an attacker would (flips, truncations, NULs, invalid UTF-8, blank, duplicated,
 * swapped and joined lines), read by the three readers a reviewer trusts — `verify` (its line
 * reader and verifyChain), the engine, and `print --json` — which must agree line by line:
 * the same lines are records, the same lines are malformed (in the same category of reason),
 * and every record line is the same bytes, so the same SHA-256.
 *
 * FUZZ_RUNS=2000 npx vitest run test/hardening/byte-fuzz.test.ts for a longer run.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainLinesOfFiles, type DamagedFile, recordProblem } from '../../src/cli/commands/lines.js';
import { entryJson } from '../../src/cli/commands/entry-json.js';
import { openEngine } from '../../src/engine/engine.js';
import { type ChainLine, verifyChain } from '../../src/shared/chain.js';
import { openAuditLog } from '../../src/writer/index.js';
import { runCli } from '../cli/helpers.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { sampleRequest, sampleResponse } from '../writer/helpers.js';

const tempDir = makeTempDirFactory('spa-byte-fuzz');
// 20–110 ms a run (the more on a loaded machine): the default keeps the file well under 20 s.
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const TIMEOUT_MS = Math.max(60_000, RUNS * 200);

// ---- valid logs, from the real writer with a fixed clock and pid ----

const REASONS = ['plain ascii', 'caf\u00e9 cr\u00e8me', 'replacement \ufffd char', '\u65e5\u672c\u8a9e \u{1f512} lock', 'tab\there "quoted" \\ back'];

function writeLog(file: string, requests: number, seed: number): void {
  let clock = Date.parse('2026-03-04T05:06:07.000Z') + seed * 1000;
  const log = openAuditLog({ path: file, pid: 4242, now: () => (clock += 250), warn: () => {} });
  for (let i = 0; i < requests; i++) {
    const decision = (['approved', 'approved', 'denied', 'timeout'] as const)[(i + seed) % 4];
    log.request(sampleRequest(i, { reason: REASONS[(i + seed) % REASONS.length], decision, privileged: i % 2 === 0 }));
    if (decision === 'approved') log.response(sampleResponse(i, { status: i % 3 === 0 ? 'error' : 'ok' }));
  }
  log.close();
}

/** One base log per shape, written once. */
const bases: Buffer[] = (() => {
  const dir = tempDir();
  return [3, 8, 14].map((n, seed) => {
    const file = path.join(dir, `base-${seed}.log`);
    writeLog(file, n, seed);
    return fs.readFileSync(file);
  });
})();

// ---- byte mutations ----

type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'truncate'; at: number }
  | { op: 'nul'; at: number; length: number; overwrite: boolean }
  | { op: 'bad-utf8'; at: number; bytes: readonly number[] }
  | { op: 'duplicate'; line: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'blank'; line: number; bytes: readonly number[] }
  | { op: 'join'; line: number }
  | { op: 'split'; at: number };

const position = fc.nat({ max: 1 << 16 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('nul' as const), at: position, length: fc.integer({ min: 1, max: 300 }), overwrite: fc.boolean() }),
  fc.record({
    op: fc.constant('bad-utf8' as const),
    at: position,
    // A lone byte no UTF-8 has, a cut sequence, an overlong form, a surrogate, a stray continuation.
    bytes: fc.constantFrom([0xff], [0xfe], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80]),
  }),
  fc.record({ op: fc.constant('duplicate' as const), line: position }),
  fc.record({ op: fc.constant('swap' as const), a: position, b: position }),
  fc.record({ op: fc.constant('blank' as const), line: position, bytes: fc.constantFrom([], [0x20], [0x0d], [0x09, 0x20], [0x00, 0x00]) }),
  fc.record({ op: fc.constant('join' as const), line: position }),
  fc.record({ op: fc.constant('split' as const), at: position }),
);

/** The file's lines as [start, end) spans; a last line without a newline counts when it is not empty. */
function lineSpans(bytes: Uint8Array): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    spans.push([start, nl]);
    start = nl + 1;
  }
  if (start < bytes.length) spans.push([start, bytes.length]);
  return spans;
}

/** Lines with their newlines, for the line-level mutations (a last line keeps its lack of one). */
function linesWithEnds(bytes: Buffer): Buffer[] {
  return lineSpans(bytes).map(([s, e]) => bytes.subarray(s, Math.min(e + 1, bytes.length)));
}

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const at = bytes.length === 0 ? 0 : m.op === 'duplicate' || m.op === 'swap' || m.op === 'blank' || m.op === 'join' ? 0 : (m as { at: number }).at % bytes.length;
  switch (m.op) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = Buffer.from(bytes);
      out[at] ^= m.mask;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'nul': {
      const nul = Buffer.alloc(m.length);
      return m.overwrite ? Buffer.concat([bytes.subarray(0, at), nul, bytes.subarray(at + m.length)]) : Buffer.concat([bytes.subarray(0, at), nul, bytes.subarray(at)]);
    }
    case 'bad-utf8':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    case 'split':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from('\n'), bytes.subarray(at)]);
    default: {
      const lines = linesWithEnds(bytes);
      if (lines.length === 0) return bytes;
      if (m.op === 'duplicate') {
        const i = m.line % lines.length;
        lines.splice(i, 0, lines[i]);
      } else if (m.op === 'swap') {
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b], lines[a]];
      } else if (m.op === 'blank') {
        lines.splice(m.line % (lines.length + 1), 0, Buffer.from([...m.bytes, 10]));
      } else {
        // join: the newline after a line is lost, so it runs into the next one.
        const i = m.line % lines.length;
        const l = lines[i];
        if (l[l.length - 1] === 10) lines[i] = l.subarray(0, l.length - 1);
      }
      // A last line that had no newline may now sit in the middle: give it one, so that line
      // operations never join lines by accident (join does that on purpose).
      return Buffer.concat(lines.map((l, i) => (i < lines.length - 1 && l[l.length - 1] !== 10 && m.op !== 'join' ? Buffer.concat([l, Buffer.from('\n')]) : l)));
    }
  }
}

// ---- what each reader says about each line ----

/** The category of a reason, whatever each reader's wording. */
function category(reason: string): string {
  const r = reason.toLowerCase();
  if (/nul padding/.test(r)) return 'nul-padding';
  if (/nul/.test(r)) return 'nul';
  if (/utf-8/.test(r)) return 'utf8';
  if (/blank|empty/.test(r)) return 'blank';
  if (/cap/.test(r)) return 'over-cap';
  if (/not json/.test(r)) return 'not-json';
  if (/object|schema/.test(r)) return 'not-a-record';
  return `other: ${reason}`;
}

interface LineView {
  /** 'record' or the category of why it is malformed. */
  verdict: string;
  /** SHA-256 of the line's bytes, for a record that carries chain fields (verify) or for every record (engine). */
  hash?: string;
  seq?: number | null;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** verify's reader, and verifyChain's judgement of each line on its own (a whole log stops at its first break). */
function verifyView(file: string): { lines: ChainLine[]; views: Map<number, LineView>; damaged: DamagedFile[] } {
  const damaged: DamagedFile[] = [];
  // (Copied as they come: a line is a view of a buffer the reader reads into again.)
  const lines = Array.from(chainLinesOfFiles([file], (d) => damaged.push(d)), (l) => ({ ...l, text: typeof l.text === 'string' ? l.text : Buffer.from(l.text) }));
  const views = new Map<number, LineView>();
  for (const l of lines) {
    const r = verifyChain([l], { judge: recordProblem });
    expect(r.malformedCount + r.records + r.unchained, `verify judged ${file}:${l.line} once`).toBe(r.malformedCount > 0 && r.records === 1 ? 2 : 1);
    if (r.malformedCount > 0) views.set(l.line, { verdict: category(r.malformed[0].reason) });
    else views.set(l.line, { verdict: 'record', hash: r.head ?? undefined, seq: r.firstSeq });
  }
  return { lines, views, damaged };
}

/** The engine's entries, writer events and malformed lines, by line number. */
async function engineView(file: string, tailBytes: number, bytes: Buffer) {
  const engine = openEngine([file], { follow: false, tailBytes });
  const damaged: string[] = [];
  engine.on('notice', (n) => void (n.kind === 'damaged' && damaged.push(n.message)));
  await engine.indexed();
  const records = new Map<number, LineView>();
  const malformed = new Map<number, string>();
  const hidden = new Set<string>();
  const printed: Array<{ line: number; offset: number; seq: number | null }> = [];
  const spans = lineSpans(bytes);
  const at = (loc: { file: string; line: number; offset: number; length: number; seq: number | null }, what: string) => {
    expect(loc.file).toBe(file);
    const span = spans[loc.line - 1];
    expect(span, `${what} at line ${loc.line} of ${spans.length}`).toBeDefined();
    expect([loc.offset, loc.offset + loc.length], `${what} at line ${loc.line}: its bytes`).toEqual(span);
    expect(records.has(loc.line), `line ${loc.line} given to two entries`).toBe(false);
    records.set(loc.line, { verdict: 'record', hash: sha256(bytes.subarray(loc.offset, loc.offset + loc.length)), seq: loc.seq });
  };
  try {
    expect(engine.malformedCount()).toBe(engine.malformed().length);
    for (const m of engine.malformed()) {
      expect(m.file).toBe(file);
      expect(malformed.has(m.line), `line ${m.line} listed malformed twice`).toBe(false);
      malformed.set(m.line, category(m.reason));
    }
    for (const p of engine.query({})) {
      const e = engine.entry(p);
      if (e.request) at(e.request, `request ${e.id}`);
      if (e.response) at(e.response, `response ${e.id}`);
      if (e.anomalies.includes('second-response')) hidden.add(e.id);
      // print --json writes exactly this object for the entry.
      const json = JSON.parse(JSON.stringify(entryJson(e))) as ReturnType<typeof entryJson>;
      for (const loc of [json.request, json.response]) if (loc) printed.push({ line: loc.line, offset: loc.offset, seq: loc.seq });
    }
    for (const w of engine.writerEvents()) at(w.location, `writer ${w.event}`);
  } finally {
    await engine.close();
  }
  return { records, malformed, hidden, printed, damaged };
}

/** A record line's id, read the plain way (only to name a response the engine keeps out of view). */
function idOf(bytes: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as { id?: unknown; type?: unknown };
    return v.type === 'response' && typeof v.id === 'string' ? v.id : undefined;
  } catch {
    return undefined;
  }
}

/** What gzip data cut short inflates to before its end, read as a stream as the readers read it. */
async function inflatedPrefix(packed: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  const gunzip = zlib.createGunzip();
  gunzip.on('data', (c: Buffer) => out.push(c));
  await new Promise<void>((resolve) => {
    gunzip.on('error', () => resolve());
    gunzip.on('end', () => resolve());
    gunzip.end(packed);
  });
  return Buffer.concat(out);
}

/** The built CLI, spawned: `verify --json` says what verifyChain said, `print --json` and its stderr what the engine said. */
async function cliAgrees(file: string, report: ReturnType<typeof verifyChain>, engine: Awaited<ReturnType<typeof engineView>>): Promise<void> {
  const verify = await runCli(['verify', '--json', file]);
  expect(verify.code, verify.stderr).toBe(report.ok ? 0 : 1);
  const json = JSON.parse(verify.stdout) as { head: string | null; malformed: Array<{ line: number; reason: string }>; malformed_count: number };
  expect(json.head).toBe(report.head);
  expect(json.malformed_count).toBe(report.malformedCount);
  expect(json.malformed.map((m) => [m.line, m.reason])).toEqual(report.malformed.map((m) => [m.line, m.reason]));

  const print = await runCli(['print', '--json', file]);
  expect(print.code, print.stderr).toBe(0);
  const printed = print.stdout
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => {
      const e = JSON.parse(l) as ReturnType<typeof entryJson>;
      return [e.request, e.response].flatMap((loc) => (loc ? [{ line: loc.line, offset: loc.offset, seq: loc.seq }] : []));
    });
  expect(printed).toEqual(engine.printed);
  const malformed = print.stderr
    .split('\n')
    .filter((l) => l.startsWith(`${file}:`))
    .map((l) => {
      const [, line, reason] = /^.*:(\d+): (.*)$/.exec(l) as RegExpExecArray;
      return [Number(line), category(reason)];
    });
  expect(malformed).toEqual([...engine.malformed].sort((a, b) => a[0] - b[0]));
}

/** Reads the damaged log all three ways and checks they agree; returns the verify view for fixed cases. */
async function agree(whole: Buffer, options: { gzip: boolean; tailBytes: number; spawned?: boolean; cutGzip?: number | null }) {
  const dir = tempDir();
  const file = path.join(dir, options.gzip ? 'audit.log.1.gz' : 'audit.log');
  let bytes = whole;
  if (options.gzip) {
    let packed = zlib.gzipSync(whole);
    // A rotated file cut short: what it inflates to up to the cut is all any reader can have.
    if (options.cutGzip != null) {
      // (Past the 10-byte header: a file of fewer bytes than gzip's magic is read as plain text.)
      packed = packed.subarray(0, Math.max(10, Math.floor(packed.length * options.cutGzip)));
      bytes = await inflatedPrefix(packed);
    }
    fs.writeFileSync(file, packed);
  } else fs.writeFileSync(file, bytes);
  try {
    const spans = lineSpans(bytes);
    const { lines, views, damaged } = verifyView(file);
    // verify's reader: every line, numbered as in the file, with its exact bytes.
    expect(lines.map((l) => l.line)).toEqual(spans.map((_, i) => i + 1));
    lines.forEach((l, i) => expect(Buffer.from(l.text as Uint8Array).equals(bytes.subarray(...spans[i])), `verify's bytes of line ${i + 1}`).toBe(true));

    const engine = await engineView(file, options.tailBytes, bytes);
    // A cut file is damaged to both, in the same words.
    expect(damaged.map((d) => d.message)).toEqual(engine.damaged);
    if (options.gzip && options.cutGzip != null) expect(engine.damaged).toHaveLength(1);
    for (let n = 1; n <= spans.length; n++) {
      const v = views.get(n) as LineView;
      const lineBytes = bytes.subarray(...spans[n - 1]);
      if (v.verdict === 'record') {
        expect(engine.malformed.get(n), `line ${n}: a record to verify, malformed to the engine`).toBeUndefined();
        const e = engine.records.get(n);
        if (e === undefined) {
          // The one record the engine keeps out of view: a second response to an entry (first wins).
          expect(engine.hidden.has(idOf(lineBytes) ?? '\u0000'), `line ${n}: a record to verify, missing from the engine`).toBe(true);
          continue;
        }
        expect(e.hash).toBe(sha256(lineBytes));
        if (v.hash !== undefined) expect(e.hash, `line ${n}: hash`).toBe(v.hash);
        expect(e.seq ?? null, `line ${n}: seq`).toBe(v.hash !== undefined ? v.seq : null);
      } else {
        expect(engine.records.has(n), `line ${n}: malformed (${v.verdict}) to verify, a record to the engine`).toBe(false);
        expect(engine.malformed.get(n), `line ${n}: malformed to verify (${v.verdict})`).toBe(v.verdict);
      }
    }
    expect(engine.malformed.size, 'the engine lists no line verify calls a record').toBe([...views.values()].filter((v) => v.verdict !== 'record').length);
    for (const p of engine.printed) {
      expect(p.offset).toBe(spans[p.line - 1][0]);
      expect(p.seq).toBe(engine.records.get(p.line)?.seq ?? null);
    }

    // The whole log through verifyChain: the malformed lines it lists, up to its first break, are the same.
    const report = verifyChain(lines, { judge: recordProblem });
    const upTo = report.break ? Math.max(report.break.line, ...report.malformed.map((m) => m.line)) : spans.length;
    const expected = [...views].filter(([n, v]) => n <= upTo && v.verdict !== 'record').map(([n, v]) => [n, v.verdict]);
    expect(report.malformed.map((m) => [m.line, category(m.reason)])).toEqual(expected.slice(0, report.malformed.length));
    if (!report.break) expect(report.malformed.length).toBe(expected.length);
    if (options.spawned) await cliAgrees(file, report, engine);
    return views;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('verify, the engine and print agree on damaged bytes', () => {
  it('line by line: the same records, the same malformed lines, the same hashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bases.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom(1 << 21, 512, 64),
        fc.option(fc.double({ min: 0.05, max: 0.98, noNaN: true }), { freq: 3 }),
        async (base, mutations, gzip, tailBytes, cutGzip) => {
          const bytes = mutations.reduce(mutate, bases[base]);
          await agree(bytes, { gzip, tailBytes, cutGzip });
        },
      ),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);
});

/** The base log with its line `n` (1-based) rewritten. */
function withLine(base: Buffer, n: number, edit: (line: Buffer) => Buffer): Buffer {
  const lines = linesWithEnds(base);
  const line = lines[n - 1];
  lines[n - 1] = Buffer.concat([edit(line.subarray(0, line.length - 1)), Buffer.from('\n')]);
  return Buffer.concat(lines);
}
const replaced = (from: string, to: string) => (line: Buffer) => Buffer.from(line.toString('latin1').replace(from, to), 'latin1');

describe('the disagreements the fuzz found, kept as fixed cases', () => {
  const base = bases[1];
  it.each<[string, Buffer, number, string]>([
    // verify said "not JSON", the engine "empty line".
    ['a line of spaces, tabs and a CR is blank to every reader', Buffer.concat([base, Buffer.from(' \t\r\n')]), linesWithEnds(base).length + 1, 'blank'],
    // verify said "not JSON", the engine "contains NUL bytes".
    ['a NUL before a record is a NUL line to every reader', withLine(base, 2, (l) => Buffer.concat([Buffer.from([0]), l])), 2, 'nul'],
    ['NUL padding is NUL padding to every reader', withLine(base, 3, (l) => Buffer.alloc(l.length)), 3, 'nul-padding'],
    // verify counted a chained object the schema rejects as a record; the engine and print drop it as malformed.
    ['a chained line the schema rejects is malformed to every reader', withLine(base, 2, replaced('"decision":"', '"decision":"x')), 2, 'not-a-record'],
    // The engine and print --json gave `seq` 2 to a record with no `prev`, which verify rightly calls unchained.
    ['a record with seq but no prev has no place in the chain for any reader', withLine(base, 2, replaced('"prev"', '"qrev"')), 2, 'record'],
  ])('%s', async (_, bytes, line, verdict) => {
    const views = await agree(bytes, { gzip: false, tailBytes: 1 << 21 });
    expect(views.get(line)?.verdict).toBe(verdict);
    if (verdict === 'record') expect(views.get(line)?.hash).toBeUndefined();
  });
});

describe('the built CLI agrees with the readers it is made of', () => {
  // Spawning costs ~0.3 s a run: a few fixed seeds here, many in-process runs above.
  const cases = fc.sample(fc.tuple(fc.nat({ max: bases.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean()), { seed: 12, numRuns: 2 });
  it.each(cases.map((c, i) => [i, ...c] as const))('damaged log %i: verify --json and print --json', async (_, base, mutations, gzip) => {
    await agree(mutations.reduce(mutate, bases[base]), { gzip, tailBytes: 1 << 21, spawned: true });
  });
  it('a log with a blank line, a NUL line and a record the schema rejects', async () => {
    const bytes = withLine(withLine(Buffer.concat([bases[2], Buffer.from('\n')]), 2, (l) => Buffer.concat([Buffer.from([0]), l])), 4, replaced('"via":"', '"via":"x'));
    await agree(bytes, { gzip: false, tailBytes: 1 << 21, spawned: true });
  });
});
