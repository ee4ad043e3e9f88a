/**
 * Real rotation: Debian's logrotate rotates the audit log several times while a writer process
 * appends to it steadily and two readers follow it — the engine (in this process) and
 * `print -f --json` (the built CLI). Counting is by the chain: the writer's records carry
 * seq 1, 2, 3, … in the order written, so every record written is accounted for by seq.
 *
 * - rename with `nocreate` (test/hardening/fixtures/logrotate-audit.conf, the README's config):
 *   nothing lost or duplicated — every record is in exactly one file of the rotated set, and
 *   every entry is delivered exactly once by each reader. (With `create`, an append landing
 *   between logrotate's rename and its create makes the writer create the file first, and
 *   logrotate then moves the writer's file aside as `audit.log-YYYYMMDDHH.backup`, outside the
 *   rotated set: that is why the config says `nocreate`. logrotate then says so on stderr,
 *   which fails the test.)
 * - `copytruncate`: records written between logrotate's copy and its truncate are in neither
 *   file. The loss is bounded (one run of records per rotation, each written while logrotate
 *   ran), explained (`verify` names the gap) and reported (a `truncated` notice per rotation,
 *   and `lost` notices that count every record gone, as the chain does); no entry is ever given
 *   with a part no file holds.
 *
 * Also: the rotation the tamper matrix does in Node (test/helpers/rotate.ts) leaves what the
 * real logrotate leaves.
 *
 * Needs `npm run build` (dist/) and logrotate: skipped without it, a failure under CI (which
 * installs it).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEngine, EngineChange, EngineNotice } from '../../src/shared/entry.js';
import { openEngine } from '../../src/engine/engine.js';
import { findRotatedSet } from '../../src/engine/rotated-set.js';
import { collect, REPO_ROOT, runCli, spawnCli } from '../cli/helpers.js';
import { rotateLikeLogrotate } from '../helpers/rotate.js';
import { requireTool } from '../helpers/system-tools.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const logrotateTool = requireTool('logrotate', { package: 'logrotate' });
const FIXTURES = path.join(REPO_ROOT, 'test/hardening/fixtures');
const WRITER = path.join(FIXTURES, 'steady-writer.mjs');
const tempDir = makeTempDirFactory('spa-logrotate');

/** Rotations per scenario, and the time the writer appends between them. */
const ROTATIONS = 4;
const BETWEEN_MS = 400;
/** A record's time is taken just after its write; a loaded machine may deschedule in between. */
const CLOCK_SLACK_MS = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** CLOCK_MONOTONIC in ms: the same clock in every process on the machine. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/writer/index.js'))) throw new Error('build first: npm run build');
});

const children: ChildProcess[] = [];
const engines: AuditEngine[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

// ---- the writer process ----

interface WriterReport {
  ops: number;
  written: number;
  dropped: number;
  warnings: string[];
  /** Monotonic ms at which the request / response of op n was written. */
  requestAt: number[];
  responseAt: number[];
}

function startWriter(file: string): { ready: Promise<void>; stop(): Promise<WriterReport> } {
  const child = spawn(process.execPath, [WRITER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`the writer ended early (exit ${child.exitCode}, signal ${child.signalCode})`);
    return r.value as string;
  };
  return {
    ready: next().then((l) => void expect(l).toBe('ready')),
    async stop() {
      child.stdin.write('stop\n');
      return JSON.parse(await next()) as WriterReport;
    },
  };
}

/**
 * The records in the order the writer wrote them, by name: `q<n>` the request of op n, `r<n>`
 * its response, `w:start`/`w:stop` the writer's own. Record i has seq i + 1.
 */
function writeOrder(ops: number): string[] {
  const order = ['w:start', 'q0'];
  for (let n = 1; n < ops; n++) order.push(`q${n}`, `r${n - 1}`);
  order.push(`r${ops - 1}`, 'w:stop');
  return order;
}

function writtenAt(report: WriterReport, key: string): number {
  const n = Number(key.slice(1));
  return key.startsWith('q') ? report.requestAt[n] : report.responseAt[n];
}

// ---- the files ----

interface FileContents {
  file: string;
  /** seq of each record, in file order. */
  seqs: number[];
  /** Lines that are not records (a copy that caught an append half-way). */
  torn: number;
}

function readFiles(files: readonly string[], order: readonly string[]): FileContents[] {
  return files.map((file) => {
    const raw = fs.readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    const contents: FileContents = { file, seqs: [], torn: 0 };
    for (const line of text.split('\n').filter((l) => l !== '')) {
      let record: { seq: number; type: string; id?: string; event?: string };
      try {
        record = JSON.parse(line);
      } catch {
        contents.torn++;
        continue;
      }
      const key = record.type === 'writer' ? `w:${record.event}` : `${record.type === 'request' ? 'q' : 'r'}${(record.id ?? '').slice(3)}`;
      // The chain numbers records in the order written: the file agrees with the writer.
      expect(order[record.seq - 1], `${file}: seq ${record.seq}`).toBe(key);
      contents.seqs.push(record.seq);
    }
    return contents;
  });
}

/** Consecutive seqs grouped into runs [first, last]. */
function runsOf(seqs: readonly number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const s of [...seqs].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[1] === s - 1) last[1] = s;
    else runs.push([s, s]);
  }
  return runs;
}

// ---- one scenario ----

interface Window {
  start: number;
  end: number;
}

interface Outcome {
  file: string;
  report: WriterReport;
  order: string[];
  windows: Window[];
  /** The rotated set, oldest first. */
  files: FileContents[];
  engine: AuditEngine;
  notices: EngineNotice[];
  appended: number;
  printed: Array<{ id: string; state: string; anomalies: string[] }>;
  printStderr: string;
}

async function logrotate(conf: string, state: string): Promise<Window> {
  const start = monotonicMs();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(logrotateTool.path, ['-f', '-s', state, conf], (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr })),
  );
  const end = monotonicMs();
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return { start, end };
}

/** Polls until `done` holds or `ms` pass; the assertions afterwards say what was missing. */
async function until(done: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
}

async function rotateWhileFollowing(configName: string): Promise<Outcome> {
  const dir = tempDir();
  const file = path.join(dir, 'audit.log');
  const conf = path.join(dir, 'logrotate.conf');
  // logrotate skips configs that others may write: keep it 0644 like /etc/logrotate.d.
  fs.writeFileSync(conf, fs.readFileSync(path.join(FIXTURES, configName), 'utf8').replaceAll('@AUDIT_LOG@', file), { mode: 0o644 });

  const writer = startWriter(file);
  await writer.ready;

  const engine = openEngine([file], { follow: true });
  engines.push(engine);
  const notices: EngineNotice[] = [];
  let appended = 0;
  engine.on('notice', (n: EngineNotice) => notices.push(n));
  engine.on('change', (c: EngineChange) => (appended += c.appended));

  const print = spawnCli(['print', '-f', '--json', file]);
  children.push(print);
  const printed: Array<{ id: string; state: string; anomalies: string[] }> = [];
  let partial = '';
  print.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) printed.push(JSON.parse(l));
  });
  const printDone = collect(print);

  // Both readers are following before the first rotation.
  await engine.ready();
  await until(() => engine.size() > 0 && printed.length > 0, 30_000);
  expect(printed.length, 'print -f printed nothing').toBeGreaterThan(0);

  const windows: Window[] = [];
  for (let i = 0; i < ROTATIONS; i++) {
    await sleep(BETWEEN_MS);
    windows.push(await logrotate(conf, path.join(dir, 'logrotate.state')));
  }
  await sleep(BETWEEN_MS);
  const report = await writer.stop();
  const order = writeOrder(report.ops);
  const last = `op-${report.ops - 1}`;
  // The last entry completes after the last rotation: once both readers have it, they are done.
  const hasLast = () => engine.size() > 0 && engine.entry(engine.size() - 1).id === last && engine.entry(engine.size() - 1).state === 'ok';
  await until(() => hasLast() && printed.some((e) => e.id === last));
  await sleep(200); // anything after the last entry (a duplicate) would show now
  print.kill('SIGTERM');
  const { code, stderr } = await printDone;
  expect(code).toBe(0);
  return {
    file,
    report,
    order,
    windows,
    files: readFiles(findRotatedSet(file), order),
    engine,
    notices,
    appended,
    printed,
    printStderr: stderr,
  };
}

/**
 * What the engine delivered, by record name (`q<n>`, `r<n>`). Every entry is whole: its id and
 * the fields the writer fixture derives from n (the request's reason, the response's duration).
 */
function deliveredByEngine(engine: AuditEngine): string[] {
  const keys: string[] = [];
  for (let p = 0; p < engine.size(); p++) {
    const e = engine.entry(p);
    const n = /^op-(\d+)$/.exec(e.id)?.[1];
    if (n === undefined) throw new Error(`entry ${p} has no id: ${JSON.stringify(e)}`);
    if (e.request) expect(e.reason).toBe(`operation ${n}: reload after the certificate renewal`);
    if (e.response) expect(e).toMatchObject({ status: 'ok', durationMs: Number(n) });
    if (e.request) keys.push(`q${n}`);
    if (e.response) keys.push(`r${n}`);
  }
  return keys;
}

/** Records the `lost` notices (or `print -f`'s stderr lines for them) count. */
const lostIn = (notices: readonly EngineNotice[]) => notices.reduce((sum, n) => sum + (n.kind === 'lost' ? n.records : 0), 0);
const lostInLines = (lines: readonly string[]) => lines.reduce((sum, l) => sum + Number(/ (\d+) records? (?:read|written)/.exec(l)?.[1] ?? 0), 0);

const duplicatesOf = (xs: readonly string[]) => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];

function figures(mode: string, o: Outcome, extra: Record<string, number | string> = {}): void {
  const inFiles = o.files.reduce((sum, f) => sum + f.seqs.length, 0);
  const perFile = o.files.map((f) => `${path.basename(f.file)} ${f.seqs.length}`).join(', ');
  const rows: Array<[string, number | string]> = [
    ['records written (incl. writer start/stop)', o.report.written],
    ['entries (request + response) written', o.report.ops],
    ['records in the rotated set', inFiles],
    ['  per file', perFile],
    ['entries seen by the engine follower', o.engine.size()],
    ['entries printed by print -f --json', o.printed.length],
    ...Object.entries(extra),
  ];
  const windows = o.windows.map((w) => `${(w.end - w.start).toFixed(0)} ms`).join(', ');
  console.log(`\nlogrotate ${mode}: ${o.windows.length} rotations (logrotate ran ${windows})\n${rows.map(([k, v]) => `  ${k.padEnd(42)} ${v}`).join('\n')}`);
}

describe.skipIf(!logrotateTool.found)('real logrotate while a writer appends and two readers follow', () => {
  it('rename (nocreate): every record in exactly one file, every entry delivered exactly once by the engine and by print -f', async () => {
    const o = await rotateWhileFollowing('logrotate-audit.conf');
    figures('rename + nocreate + delaycompress', o);
    expect(o.report).toMatchObject({ dropped: 0, warnings: [] });
    expect(o.report.written).toBe(o.order.length);

    // The set logrotate left: older ones compressed, the newest rotation still plain.
    const base = path.basename(o.file);
    const expectedNames = [...Array.from({ length: ROTATIONS - 1 }, (_, i) => `${base}.${ROTATIONS - i}.gz`), `${base}.1`, base];
    expect(o.files.map((f) => path.basename(f.file))).toEqual(expectedNames);
    expect(fs.statSync(o.file).mode & 0o777).toBe(0o600);
    expect(o.files.every((f) => f.seqs.length > 0)).toBe(true);

    // On disk: seq 1…written, each exactly once, in order across the files; nothing torn.
    const onDisk = o.files;
    expect(onDisk.map((f) => f.torn)).toEqual(onDisk.map(() => 0));
    expect(onDisk.flatMap((f) => f.seqs)).toEqual(Array.from({ length: o.report.written }, (_, i) => i + 1));
    const verify = await runCli(['verify', ...onDisk.map((f) => f.file)]);
    expect(verify.stdout).toMatch(new RegExp(`^ok: ${o.report.written} records, head [0-9a-f]{64}\\n$`));
    expect(verify.code).toBe(0);

    // The engine: each record once; each entry complete, in the order written; one notice per
    // rotation.
    const delivered = deliveredByEngine(o.engine);
    expect(duplicatesOf(delivered)).toEqual([]);
    const deliveredSet = new Set(delivered);
    expect(o.order.filter((k) => !k.startsWith('w:') && !deliveredSet.has(k))).toEqual([]);
    const ids = Array.from({ length: o.report.ops }, (_, n) => `op-${n}`);
    const engineEntries = Array.from({ length: o.engine.size() }, (_, p) => o.engine.entry(p));
    const seen = new Set(engineEntries.map((e) => e.id));
    expect(duplicatesOf(engineEntries.map((e) => e.id))).toEqual([]);
    expect(ids.filter((id) => !seen.has(id))).toEqual([]);
    expect(engineEntries.filter((e) => e.state !== 'ok' || e.anomalies.length > 0)).toEqual([]);
    expect(o.appended).toBe(o.engine.size());
    expect(o.engine.malformedCount()).toBe(0);
    // (`waiting`: a check that fell between logrotate's rename and its create.)
    expect(o.notices.filter((n) => n.kind !== 'rotated' && n.kind !== 'waiting')).toEqual([]);
    const rotatedNotices = o.notices.filter((n) => n.kind === 'rotated').length;
    expect(rotatedNotices).toBeGreaterThanOrEqual(ROTATIONS);
    expect(rotatedNotices).toBeLessThanOrEqual(ROTATIONS);

    // print -f: the same entries, each printed once, when complete.
    const printedIds = o.printed.map((e) => e.id);
    expect(duplicatesOf(printedIds)).toEqual([]);
    expect(ids.filter((id) => !printedIds.includes(id))).toEqual([]);
    // (Or interrupted: its response lost to the truncation, printed when the writer stopped.)
    expect(o.printed.filter((e) => e.state !== 'ok' && !(e.state === 'running' && e.anomalies.join() === 'interrupted'))).toEqual([]);
    // (The records lost leave gaps in the chain: the closing warning says so, as verify would.)
    const said = o.printStderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('sudo-proxy-audit: warning: the hash chain is broken'));
    const rotatedSaid = said.filter((l) => l === `sudo-proxy-audit: ${o.file} was rotated: reading the new file`).length;
    expect(said.filter((l) => !l.endsWith('was rotated: reading the new file') && !l.endsWith('(yet, or rotated away): waiting for it'))).toEqual([]);
    expect(rotatedSaid).toBeGreaterThanOrEqual(ROTATIONS);
    expect(rotatedSaid).toBeLessThanOrEqual(ROTATIONS);
    expect(engineEntries.map((e) => e.id)).toEqual(ids);
    expect(o.printed).toHaveLength(o.report.ops);
  }, 90_000);

  it('copytruncate: the loss is the records between copy and truncate — bounded, named by verify, and reported', async () => {
    const o = await rotateWhileFollowing('logrotate-audit-copytruncate.conf');
    expect(o.report).toMatchObject({ dropped: 0, warnings: [] });
    expect(o.report.written).toBe(o.order.length);
    expect(o.files).toHaveLength(ROTATIONS + 1);
    // The live file keeps its inode and mode (copytruncate never replaces it).
    expect(fs.statSync(o.file).mode & 0o777).toBe(0o600);

    // On disk: in order, nothing twice. A copy may end in the fragment of an append it caught
    // half-way (that record is lost too); nothing else is torn.
    const all = o.files.flatMap((f) => f.seqs);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(duplicatesOf(all.map(String))).toEqual([]);
    for (const f of o.files.slice(0, -1)) expect(f.torn).toBeLessThanOrEqual(1);
    expect(o.files[o.files.length - 1].torn).toBe(0);

    // Lost: only between two files (a copy and what followed its truncate), at most one run per
    // rotation, and every lost record was written while logrotate was running.
    const present = new Set(all);
    const lostSeqs = Array.from({ length: o.report.written }, (_, i) => i + 1).filter((s) => !present.has(s));
    const lostRuns = runsOf(lostSeqs);
    const boundaries = o.files.slice(1).map((f) => f.seqs[0]); // first seq after each truncate
    for (const [, last] of lostRuns) expect(boundaries, `lost run ending at seq ${last}`).toContain(last + 1);
    expect(lostRuns.length).toBeLessThanOrEqual(ROTATIONS);
    for (const seq of lostSeqs) {
      const at = writtenAt(o.report, o.order[seq - 1]);
      const during = o.windows.some((w) => at >= w.start && at <= w.end + CLOCK_SLACK_MS);
      expect(during, `lost seq ${seq} (${o.order[seq - 1]}) written at ${at.toFixed(1)}, logrotate ran ${JSON.stringify(o.windows)}`).toBe(true);
    }

    // verify names the first gap: the first record after it, with the count missing.
    const verify = await runCli(['verify', '--json', '--history', o.file]);
    const verdict = JSON.parse(verify.stdout);
    if (lostSeqs.length === 0) {
      expect(verify.code).toBe(0);
    } else {
      expect(verify.code).toBe(1);
      const [first, last] = lostRuns[0];
      const after = o.files.find((f) => f.seqs[0] === last + 1) as FileContents;
      const tornCopy = o.files[o.files.indexOf(after) - 1].torn > 0;
      // A torn fragment where the missing record should be reads as that record, edited.
      if (tornCopy && first === last) expect(verdict.break).toMatchObject({ kind: 'modified' });
      else expect(verdict.break).toMatchObject({ kind: 'deleted', file: after.file, line: 1 });
    }

    // The engine: one `truncated` notice per rotation, and every record lost counted in a `lost`
    // one; nothing delivered twice; what it missed is only the last records before a truncate
    // (what it had not read yet it reads from the copy).
    expect(o.notices.filter((n) => n.kind === 'truncated')).toHaveLength(ROTATIONS);
    expect(o.notices.filter((n) => n.kind !== 'truncated' && n.kind !== 'lost')).toEqual([]);
    expect(lostIn(o.notices)).toBe(lostSeqs.length);
    const delivered = deliveredByEngine(o.engine);
    expect(duplicatesOf(delivered)).toEqual([]);
    const deliveredSet = new Set(delivered);
    const missedSeqs = o.order.map((key, i) => (key.startsWith('w:') || deliveredSet.has(key) ? 0 : i + 1)).filter((s) => s > 0);
    for (const [, last] of runsOf(missedSeqs)) expect(boundaries, `the engine missed a run ending at seq ${last}`).toContain(last + 1);
    const inFiles = new Set(all);
    expect(missedSeqs.filter((seq) => inFiles.has(seq)), 'records the engine missed though a file holds them').toEqual([]);
    const engineEntries = Array.from({ length: o.engine.size() }, (_, p) => o.engine.entry(p));
    // (Interrupted: still running when the writer stopped, its response lost to a truncation.)
    expect(engineEntries.flatMap((e) => e.anomalies.map((a) => `${a}:${e.state}`)).filter((a) => !a.startsWith('orphan-response') && a !== 'interrupted:running')).toEqual([]);
    // What the engine gives is what the files hold: no record that left the disk is delivered.
    const lostKeys = new Set(lostSeqs.map((s) => o.order[s - 1]));
    expect(delivered.filter((k) => lostKeys.has(k))).toEqual([]);

    // print -f: each entry at most once and whole, the truncations and losses said on stderr.
    const printedIds = o.printed.map((e) => e.id);
    expect(printedIds.filter((id) => !/^op-\d+$/.test(id))).toEqual([]);
    expect(duplicatesOf(printedIds)).toEqual([]);
    // (Or interrupted: its response lost to the truncation, printed when the writer stopped.)
    expect(o.printed.filter((e) => e.state !== 'ok' && !(e.state === 'running' && e.anomalies.join() === 'interrupted'))).toEqual([]);
    // (The records lost leave gaps in the chain: the closing warning says so, as verify would.)
    const said = o.printStderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('sudo-proxy-audit: warning: the hash chain is broken'));
    const truncatedSaid = `sudo-proxy-audit: ${o.file} was truncated (copytruncate?): reading it again from the start`;
    expect(said.filter((l) => l === truncatedSaid)).toHaveLength(ROTATIONS);
    const lostSaid = said.filter((l) => l !== truncatedSaid);
    for (const l of lostSaid) expect(l.startsWith(`sudo-proxy-audit: ${o.file} was truncated`)).toBe(true);
    expect(lostInLines(lostSaid)).toBe(lostSeqs.length);

    figures('copytruncate + delaycompress', o, {
      'records lost on disk (copy → truncate)': `${lostSeqs.length} in ${lostRuns.length} run(s)`,
      'records the engine missed': `${missedSeqs.length} (${missedSeqs.filter((s) => !lostKeys.has(o.order[s - 1])).length} of them in a copy)`,
      'records lost, as the engine counts them': lostIn(o.notices),
      'entries print -f did not print': o.report.ops - o.printed.length,
    });
  }, 90_000);
});

/** Each file of a rotated set: its name, mode, whether it is gzip, and its text. */
function snapshot(dir: string): Array<{ name: string; mode: number; gzip: boolean; text: string }> {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith('audit.log'))
    .sort()
    .map((name) => {
      const raw = fs.readFileSync(path.join(dir, name));
      const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
      return { name, mode: fs.statSync(path.join(dir, name)).mode & 0o777, gzip, text: (gzip ? gunzipSync(raw) : raw).toString('utf8') };
    });
}

describe.skipIf(!logrotateTool.found)('the rotation tests do without logrotate (test/helpers/rotate.ts)', () => {
  it('leaves the set the real logrotate leaves with the README config: names, modes, compression, contents', async () => {
    const real = tempDir();
    const simulated = tempDir();
    const conf = path.join(real, 'logrotate.conf');
    fs.writeFileSync(conf, fs.readFileSync(path.join(FIXTURES, 'logrotate-audit.conf'), 'utf8').replaceAll('@AUDIT_LOG@', path.join(real, 'audit.log')), { mode: 0o644 });
    for (let round = 0; round < 5; round++) {
      for (const dir of [real, simulated]) fs.appendFileSync(path.join(dir, 'audit.log'), `round ${round}\n`.repeat(round + 1), { mode: 0o600 });
      if (round === 4) break;
      await logrotate(conf, path.join(real, 'logrotate.state'));
      rotateLikeLogrotate(path.join(simulated, 'audit.log'), { delaycompress: true });
    }
    const expected = snapshot(real);
    expect(expected.map((f) => [f.name, f.gzip])).toEqual([
      ['audit.log', false],
      ['audit.log.1', false],
      ['audit.log.2.gz', true],
      ['audit.log.3.gz', true],
      ['audit.log.4.gz', true],
    ]);
    expect(snapshot(simulated)).toEqual(expected);
  });
});
