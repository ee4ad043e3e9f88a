/**
 * Writer throughput and per-append latency, against the floor of the same bytes written raw.
 *   npm run bench:writer [-- --json]   (--json: one last line of JSON figures, for `npm run bench`)
 * (a) the writer without fsync, (b) a baseline that writeSync()s the very lines (a) wrote,
 * pre-serialised, to an O_APPEND descriptor, (c) the writer with fsync per record, (d) the
 * writer with a sealing state and a seal every 100 ms (the default is 15 min: (d) seals some
 * 9,000 times more often, each seal a state file written, fsynced and renamed, and a dir fsync).
 * Rounds of (a) and (b) alternate and the median round is reported, so a neighbour's burst on
 * a shared machine skews both sides alike. Files live in a temp dir under os.tmpdir().
 * Timing each append reads the clock twice per record on both sides, which narrows the gap a
 * little; a last line gives both loops without those reads (throughput only) for comparison.
 * (d) the Rust writer (rust/, its examples/bench_writer.rs) on the same operations, each append
 * timed the same way, beside (a) of the same run; and the time of a clean, offline
 * `cargo build --release` of the crate. Skipped, and said so, without cargo.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { keyId } from '../../src/shared/seal.js';
import { encodeSealState, sealStatePath } from '../../src/shared/seal-state.js';
import { openAuditLog, type RequestInput, type ResponseInput } from '../../src/writer/index.js';
import { findTool, COMMAND_DIRS } from '../helpers/system-tools.js';

const RECORDS = 100_000;
const ROUNDS = 5;
const WARMUP = 20_000;
const FSYNC_RECORDS = 2_000;
const UNTIMED_ROUNDS = 3;
const TARGET_RATE = 100_000;
const TARGET_RATIO = 0.5;
/** (d)'s seal interval, ms. */
const SEAL_EVERY_MS = 100;

type Op = { kind: 'request'; input: RequestInput } | { kind: 'response'; input: ResponseInput };

/** 1,000 distinct, realistic operations: a request then its response. */
function makeOps(): Op[] {
  const commands = [
    [['journalctl', '-u', 'nginx.service', '--since', '-1h', '--no-pager'], ['grep', '-i', 'error'], ['tail', '-n', '50']],
    [['systemctl', 'restart', 'postgresql@15-main.service']],
    [['apt-get', 'install', '-y', 'htop'], ['tee', '/var/log/apt-audit.log']],
    [['cat', '/etc/nginx/sites-enabled/default'], ['sed', '-n', '1,80p']],
  ];
  const ops: Op[] = [];
  for (let i = 0; i < 500; i++) {
    const pipeline = commands[i % commands.length];
    const id = `6f1c2a9e-${String(i).padStart(4, '0')}-4b7d-9c3e-0a1b2c3d4e5f`;
    ops.push({
      kind: 'request',
      input: {
        id,
        time: '2025-06-01T12:34:56Z',
        host: i % 3 === 0 ? 'db-2' : '',
        session: 'a1b2c3d4e5f6',
        pipeline,
        resolved: pipeline.map((stage) => `/usr/bin/${stage[0]}`),
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'en_US.UTF-8', TERM: 'xterm-256color', HOME: '/root', SUDO_PROXY_SESSION: 'x' },
        reason: `Investigate why the nightly job ${i} failed to reload the service`.padEnd(60, '.'),
        privileged: true,
        decision: i % 10 === 0 ? 'denied' : 'approved',
        via: i % 4 === 0 ? 'policy' : 'operator',
        latencyMs: i % 4 === 0 ? null : 800 + (i % 700),
      },
    });
    ops.push({
      kind: 'response',
      input: {
        id,
        time: '2025-06-01T12:34:58.123Z',
        status: 'ok',
        error: null,
        stages: pipeline.map((_, s) => ({ exitCode: s === 0 ? 0 : 1, stderr: 40 * s })),
        stdout: 4096 + i,
        durationMs: 37.25 + i,
      },
    });
  }
  return ops;
}

interface Result {
  name: string;
  records: number;
  seconds: number;
  latenciesNs: Float64Array;
  /** Seal records the writer added (sealing runs only). */
  seals?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function runWriter(dir: string, name: string, ops: Op[], count: number, fsync: boolean, timed = true, sealInterval?: number): { result: Result; file: string } {
  const file = path.join(dir, `${name}.log`);
  fs.rmSync(file, { force: true });
  if (sealInterval !== undefined) {
    const k0 = randomBytes(32);
    fs.writeFileSync(sealStatePath(file), encodeSealState({ epoch: 0, key: k0, keyId: keyId(k0), pending: null }), { mode: 0o600 });
  }
  const log = openAuditLog({ path: file, fsync, sealInterval, warn: (m) => console.error(`warning: ${m}`) });
  const lat = new Float64Array(timed ? count : 0);
  const t0 = process.hrtime.bigint();
  if (timed) {
    for (let i = 0; i < count; i++) {
      const op = ops[i % ops.length];
      const s = process.hrtime.bigint();
      if (op.kind === 'request') log.request(op.input);
      else log.response(op.input);
      lat[i] = Number(process.hrtime.bigint() - s);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const op = ops[i % ops.length];
      if (op.kind === 'request') log.request(op.input);
      else log.response(op.input);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log.close();
  const { written, droppedTotal } = log.stats();
  const seals = written - count - 2;
  if (droppedTotal !== 0 || seals < 0 || (sealInterval === undefined && seals !== 0)) throw new Error(`${name}: wrote ${written}, dropped ${droppedTotal}`);
  return { result: { name, records: count, seconds, latenciesNs: lat, seals }, file };
}

function runBaseline(dir: string, name: string, lines: Buffer[], count: number, timed = true): Result {
  const file = path.join(dir, `${name}.log`);
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  const lat = new Float64Array(timed ? count : 0);
  const t0 = process.hrtime.bigint();
  if (timed) {
    for (let i = 0; i < count; i++) {
      const line = lines[i % lines.length];
      const s = process.hrtime.bigint();
      fs.writeSync(fd, line);
      lat[i] = Number(process.hrtime.bigint() - s);
    }
  } else {
    for (let i = 0; i < count; i++) fs.writeSync(fd, lines[i % lines.length]);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  return { name, records: count, seconds, latenciesNs: lat };
}

const rate = (r: Result) => r.records / r.seconds;

function median(results: Result[]): Result {
  return [...results].sort((a, b) => rate(a) - rate(b))[Math.floor(results.length / 2)];
}

function describeMachine(dir: string): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? '?';
  let fsType = '?';
  try {
    fsType = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
  } catch {
    // not Linux coreutils
  }
  return `node ${process.version}, ${os.arch()}, ${os.availableParallelism()} CPUs (${cpu}), temp dir on ${fsType}`;
}

interface RustFigures {
  perS: number;
  p50Us: number;
  p99Us: number;
  buildSeconds: number;
}

/** An op in the golden vectors' input form (schema/vectors/README.md), which the Rust bench reads. */
function rawOp(op: Op): object {
  if (op.kind === 'request') {
    const r = op.input;
    const env = r.env && !Array.isArray(r.env) && !(r.env instanceof Map) ? Object.entries(r.env).map(([k, v]) => `${k}=${v}`) : [];
    return { request: { id: r.id, time: r.time, host: r.host, session: r.session, pipeline: r.pipeline, resolved: r.resolved, env, reason: r.reason, privileged: r.privileged, decision: r.decision, via: r.via, latency_ms: r.latencyMs } };
  }
  const r = op.input;
  const len = (o: unknown) => (typeof o === 'number' ? o : 0);
  return {
    response: {
      id: r.id,
      time: r.time,
      ok: r.status === 'ok',
      error: r.error,
      stages: r.stages.map((s) => ({ exit_code: s.exitCode, stderr_len: len(s.stderr), stderr_truncated: s.stderrTruncated === true })),
      stdout_len: len(r.stdout),
      stdout_truncated: r.stdoutTruncated === true,
      duration_ms: r.durationMs,
    },
  };
}

/** (d): a clean offline release build of the Rust crate's bench, then its rounds; null without cargo. */
function runRust(dir: string, ops: Op[]): RustFigures | null {
  const cargo = findTool('cargo', COMMAND_DIRS);
  if (cargo === null) {
    console.log('(d) Rust writer: skipped, cargo is not installed');
    return null;
  }
  const rustDir = path.join(import.meta.dirname, '../../rust');
  const target = path.join(dir, 'cargo-target'); // a clean build: the crate and its dependencies
  const t0 = process.hrtime.bigint();
  execFileSync(cargo, ['build', '--release', '--offline', '--quiet', '--example', 'bench_writer'], { cwd: rustDir, env: { ...process.env, CARGO_TARGET_DIR: target }, stdio: 'inherit' });
  const buildSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const opsFile = path.join(dir, 'ops.jsonl');
  fs.writeFileSync(opsFile, ops.map((op) => `${JSON.stringify(rawOp(op))}\n`).join(''));
  const out = execFileSync(path.join(target, 'release/examples/bench_writer'), ['--ops', opsFile, '--dir', dir, '--records', String(RECORDS), '--rounds', String(ROUNDS)], { encoding: 'utf8' });
  const figures = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Omit<RustFigures, 'buildSeconds'>;
  return { ...figures, buildSeconds };
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-bench-'));
  try {
    const ops = makeOps();
    console.log(describeMachine(dir));
    const loadBefore = os.loadavg()[0];

    // Warm-up: JIT both paths, and capture the writer's exact lines for the baseline.
    const warm = runWriter(dir, 'warmup', ops, WARMUP, false);
    const lines = fs
      .readFileSync(warm.file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"request"') || l.includes('"type":"response"'))
      .map((l) => Buffer.from(`${l}\n`));
    runBaseline(dir, 'warmup-baseline', lines, WARMUP);

    const writerRounds: Result[] = [];
    const baselineRounds: Result[] = [];
    const sealedRounds: Result[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      writerRounds.push(runWriter(dir, `writer-${r}`, ops, RECORDS, false).result);
      baselineRounds.push(runBaseline(dir, `baseline-${r}`, lines, RECORDS));
      sealedRounds.push(runWriter(dir, `sealed-${r}`, ops, RECORDS, false, true, SEAL_EVERY_MS).result);
      for (const f of [`writer-${r}.log`, `baseline-${r}.log`, `sealed-${r}.log`]) fs.rmSync(path.join(dir, f), { force: true });
    }
    const untimedWriter: Result[] = [];
    const untimedBaseline: Result[] = [];
    for (let r = 0; r < UNTIMED_ROUNDS; r++) {
      untimedWriter.push(runWriter(dir, `untimed-writer-${r}`, ops, RECORDS, false, false).result);
      untimedBaseline.push(runBaseline(dir, `untimed-baseline-${r}`, lines, RECORDS, false));
      for (const f of [`untimed-writer-${r}.log`, `untimed-baseline-${r}.log`]) fs.rmSync(path.join(dir, f), { force: true });
    }
    const fsynced = runWriter(dir, 'writer-fsync', ops, FSYNC_RECORDS, true).result;
    const rust = runRust(dir, ops);

    const writer = median(writerRounds);
    const baseline = median(baselineRounds);
    const sealed = median(sealedRounds);
    const rows = [
      { ...writer, name: '(a) writer, no fsync' },
      { ...baseline, name: '(b) baseline writeSync O_APPEND' },
      { ...fsynced, name: '(c) writer, fsync per record' },
      { ...sealed, name: `(d) writer, sealing every ${SEAL_EVERY_MS} ms (${sealed.seals} seals)` },
    ];
    const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    const header = ['case', 'records', 'records/s', 'p50 µs', 'p99 µs'];
    const table = rows.map((r) => {
      const sorted = Float64Array.from(r.latenciesNs).sort();
      return [r.name, fmt(r.records), fmt(rate(r)), fmt(percentile(sorted, 50) / 1e3, 2), fmt(percentile(sorted, 99) / 1e3, 2)];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const load = `load average ${loadBefore.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end (shared machine: compare only same-run figures)`;
    console.log(`\nmedian of ${ROUNDS} alternating rounds of ${fmt(RECORDS)} records for (a) and (b); ${fmt(FSYNC_RECORDS)} for (c)\n`);
    console.log(load);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of table) console.log(line(row));
    const ratio = rate(writer) / rate(baseline);
    console.log(`\nwriter/baseline: ${ratio.toFixed(2)}×   (rounds: writer ${writerRounds.map((r) => fmt(rate(r))).join(', ')}; baseline ${baselineRounds.map((r) => fmt(rate(r))).join(', ')})`);
    console.log(`${rate(writer) >= TARGET_RATE ? 'PASS' : 'FAIL'} writer ≥ ${fmt(TARGET_RATE)} records/s (${fmt(rate(writer))})`);
    console.log(`${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'} writer ≥ ${TARGET_RATIO}× baseline (${ratio.toFixed(2)}×)`);
    console.log(`sealing on / off: ${(rate(sealed) / rate(writer)).toFixed(3)}× (rounds sealed: ${sealedRounds.map((r) => fmt(rate(r))).join(', ')})`);
    if (rust !== null) {
      const tsP50 = percentile(Float64Array.from(writer.latenciesNs).sort(), 50) / 1e3;
      console.log(
        `(d) Rust writer, no fsync (median of ${ROUNDS}): ${fmt(rust.perS)} records/s, p50 ${fmt(rust.p50Us, 2)} µs, p99 ${fmt(rust.p99Us, 2)} µs — ${(rust.perS / rate(writer)).toFixed(2)}× the TypeScript writer's ${fmt(rate(writer))}/s (p50 ${fmt(tsP50, 2)} µs) in this run`,
      );
      console.log(`clean offline cargo build --release (crate, dependencies, bench example): ${rust.buildSeconds.toFixed(1)} s`);
    }
    const untimedRatio = rate(median(untimedWriter)) / rate(median(untimedBaseline));
    console.log(
      `without per-append clock reads (median of ${UNTIMED_ROUNDS}): writer ${fmt(rate(median(untimedWriter)))}/s, baseline ${fmt(rate(median(untimedBaseline)))}/s, ${untimedRatio.toFixed(2)}×`,
    );
    if (process.argv.includes('--json')) {
      const p = (r: Result, q: number) => percentile(Float64Array.from(r.latenciesNs).sort(), q) / 1e3;
      const figures = {
        bench: 'writer',
        records: RECORDS,
        rounds: ROUNDS,
        writerPerS: rate(writer),
        baselinePerS: rate(baseline),
        ratio,
        writerP50Us: p(writer, 50),
        writerP99Us: p(writer, 99),
        baselineP99Us: p(baseline, 99),
        fsyncPerS: rate(fsynced),
        fsyncP50Us: p(fsynced, 50),
        sealedPerS: rate(sealed),
        sealedP99Us: p(sealed, 99),
        seals: sealed.seals,
        sealIntervalMs: SEAL_EVERY_MS,
        untimedWriterPerS: rate(median(untimedWriter)),
        untimedBaselinePerS: rate(median(untimedBaseline)),
        untimedRatio,
        rustPerS: rust?.perS ?? null,
        rustP50Us: rust?.p50Us ?? null,
        rustP99Us: rust?.p99Us ?? null,
        rustBuildS: rust?.buildSeconds ?? null,
        loadAverage: [loadBefore, os.loadavg()[0]],
        targetPerS: TARGET_RATE,
        targetRatio: TARGET_RATIO,
      };
      console.log(JSON.stringify(figures));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
