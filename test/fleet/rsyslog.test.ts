/**
 * Fleet shipping with real rsyslogd on loopback, using the very configurations shipped in
 * examples/rsyslog/: two senders (host-a, host-b) and a collector, while host-a's log is
 * rotated by logrotate, the collector is stopped and restarted, host-b's sender is restarted
 * during the outage, the collector's files are rotated as the backlog arrives, and the
 * collector crashes (SIGKILL) with the backlog half delivered. Every
 * record line written must then be in the collector's files, byte for byte, exactly once
 * after dropping duplicates, and each host's chain must verify in seq order. A third sender,
 * quiet and with an unusable hostname, must reach the collector but no host's file.
 *
 * rsyslogd, rsyslog-relp and logrotate are required: CI installs them (a failure there without
 * them); elsewhere the test is skipped without them, saying which is missing. KEEP_FLEET=1 keeps the temporary directory (configs,
 * spools, collected files) for a look after a failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/shared/chain.js';
import { orderCollected } from '../../src/shared/chain-order.js';
import { type AuditLog, openAuditLog } from '../../src/writer/audit-log.js';
import { generateLog } from '../../src/demo/generate.js';
import { runCli } from '../cli/helpers.js';
import { asText, completeLines, filesContaining, logSetOf } from './files.js';
import {
  freePort,
  type Rsyslogd,
  renderedExample,
  renderExample,
  requireFleetTools,
  runExecStartPre,
  runLogrotate,
  sleep,
  startFromUnit,
  stopAll,
  type Tools,
  validateConfig,
  waitForListener,
} from './rsyslog.js';

const fleetTools = requireFleetTools();

/** How long the collected files may take to catch up, and the test's own bound. */
const DELIVERY_DEADLINE_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

/** Strings that try to take over a terminal or hide what they say, in every kind of field. */
const HOSTILE = [
  '\x1b[31mred\x1b[0m',
  '\x1b[2J\x1b[Hcleared',
  '\x1b]0;owned title\x07',
  '\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\',
  '\u009b31mC1 CSI',
  'del\x7f\x7f',
  '\u202eevil.sh\u202c',
  'line\u2028separator\u2029paragraph',
  'nul\0tab\tcr\rlf-in-string\n',
  'lone surrogate \ud800',
  'bom\ufeff zero\u200bwidth',
];

/** An argv of about 1 MB (under the 1 MiB line cap, so the record is written whole). */
const HUGE_ARG = `${'\u009b[31m'.padEnd(100, 'A')}`.repeat(9_900);

function writeHostileRecord(log: AuditLog, i: number): void {
  const bad = HOSTILE[i % HOSTILE.length];
  const id = `a-${i}`;
  log.request({
    id,
    time: '2026-11-01T08:00:00Z',
    host: i % 7 === 0 ? `web-${bad}` : 'web-01',
    session: `ssh:${bad}`,
    pipeline: [['grep', '-r', bad, '/var/log'], ['sort', '-u']],
    resolved: ['/usr/bin/grep', null],
    env: { PATH: '/usr/bin', [`X_${i % 3}`]: bad },
    reason: `record ${i}: ${bad}`,
    privileged: i % 2 === 0,
    decision: i % 5 === 0 ? 'denied' : 'approved',
    latencyMs: i,
  });
  if (i % 3 === 0) {
    log.response({ id, status: i % 9 === 0 ? 'error' : 'ok', error: i % 9 === 0 ? bad : null, stages: [{ exitCode: 0, stderr: bad }], stdout: 10 * i, durationMs: i / 2 });
  }
}

/** Writes records [from, to) for host-a, yielding now and then so the shippers run alongside. */
async function writeA(log: AuditLog, from: number, to: number, during?: { at: number; run: () => Promise<void> }): Promise<void> {
  let started: Promise<void> | undefined;
  for (let i = from; i < to; i++) {
    if (during && i === during.at) started = during.run();
    writeHostileRecord(log, i);
    if (i % 10 === 0) await sleep(3);
  }
  await started;
}

/**
 * What the collector holds in place of a written line that never arrived as written: each
 * collected line that starts as it does (its first 200 bytes), with its length and the first
 * byte where the two differ, shown escaped on both sides.
 */
function howCollected(written: string, collected: string[]): string {
  const head = written.slice(0, 200);
  const near = collected.filter((l) => l.slice(0, 200) === head);
  if (near.length === 0) return '  no collected line starts as it does';
  const show = (s: string, at: number) => JSON.stringify(s.slice(Math.max(0, at - 40), at + 80));
  return near
    .map((l) => {
      let at = 0;
      while (at < l.length && at < written.length && l.charCodeAt(at) === written.charCodeAt(at)) at++;
      return `  a collected line of ${l.length} bytes (written: ${written.length}) first differs at byte ${at}:\n    written   ${show(written, at)}\n    collected ${show(l, at)}`;
    })
    .join('\n');
}

interface Host {
  name: string;
  log: string;
  /** The rendered systemd unit: its ExecStartPre and ExecStart are what the test runs. */
  unit: string;
  daemon?: Rsyslogd;
}

describe.skipIf(!fleetTools.found)('shipping audit logs through rsyslog (examples/rsyslog/)', () => {
  const tools: Tools = fleetTools.tools;
  let root: string;
  let collectedDir: string;
  let collector: { unit: string; pidFile: string; port: number; daemon?: Rsyslogd };
  const hosts = new Map<string, Host>();
  const daemons: Rsyslogd[] = [];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-rsyslog-'));
    collectedDir = path.join(root, 'collected');
    fs.mkdirSync(collectedDir, { mode: 0o700 });
    const port = await freePort();
    const dir = (...p: string[]) => {
      const d = path.join(root, ...p);
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      return d;
    };
    const cConf = renderExample('collector.conf', path.join(dir('collector'), 'rsyslog.conf'), {
      WORK_DIR: dir('collector', 'work'),
      LISTEN_ADDRESS: '127.0.0.1',
      LISTEN_PORT: String(port),
      COLLECTED_DIR: collectedDir,
    });
    validateConfig(tools, cConf);
    const cPid = path.join(root, 'collector', 'rsyslogd.pid');
    collector = { unit: renderedExample('sudo-proxy-audit-collector.service', { CONF: cConf, PID_FILE: cPid }), pidFile: cPid, port };
    // 'bad/name' is not a hostname rsyslog can parse: its lines must not land in any host's file.
    for (const name of ['host-a', 'host-b', 'bad/name']) {
      const key = name.replace('/', '_');
      const work = dir(key, 'work');
      const log = path.join(dir(key, 'log'), 'audit.log');
      const conf = renderExample('sender.conf', path.join(root, key, 'rsyslog.conf'), {
        WORK_DIR: work,
        HOSTNAME: name,
        AUDIT_LOG: log,
        COLLECTOR_HOST: '127.0.0.1',
        COLLECTOR_PORT: String(port),
      });
      validateConfig(tools, conf);
      const unit = renderedExample('sudo-proxy-audit-sender.service', { WORK_DIR: work, CONF: conf, PID_FILE: path.join(root, key, 'rsyslogd.pid') });
      hosts.set(name, { name, log, unit });
    }
  });

  afterAll(async () => {
    // Every daemon this file started, by pid, whatever happened above.
    await stopAll();
    if (root && !process.env.KEEP_FLEET) fs.rmSync(root, { recursive: true, force: true });
  });

  const startCollector = async () => {
    collector.daemon = startFromUnit(tools, 'collector', collector.unit);
    daemons.push(collector.daemon);
    await waitForListener(collector.port, 'the collector');
  };
  /** As systemd starts the unit: ExecStartPre (forget imfile's position), then ExecStart. */
  const startSender = (h: Host) => {
    runExecStartPre(h.unit);
    h.daemon = startFromUnit(tools, `sender ${h.name}`, h.unit);
    daemons.push(h.daemon);
  };
  const diagnostics = () => daemons.map((d) => `--- ${d.name} (pid ${d.pid}):\n${d.output().trim() || '(nothing)'}`).join('\n');

  it(
    'delivers every record byte for byte through rotation, a collector outage and crash, and a sender restart',
    async () => {
      const t0 = Date.now();
      const A = hosts.get('host-a') as Host;
      const B = hosts.get('host-b') as Host;
      const C = hosts.get('bad/name') as Host;
      await startCollector();
      for (const h of hosts.values()) startSender(h);

      const rotateA = renderExample('logrotate-sender.conf', path.join(root, 'host-a', 'logrotate.conf'), { AUDIT_LOG: A.log });
      const rotateCollector = renderExample('logrotate-collector.conf', path.join(root, 'collector', 'logrotate.conf'), {
        COLLECTED_DIR: collectedDir,
        PID_FILE: collector.pidFile,
      });
      const logA = openAuditLog({ path: A.log, warn: () => {} });
      const logC = openAuditLog({ path: C.log, warn: () => {} });
      const timeline: string[] = [];
      const mark = (what: string) => timeline.push(`${Date.now() - t0} ms: ${what}, host-a's writer at ${logA.stats().written} records`);
      logC.request({ id: 'c-1', time: '2026-11-01T08:00:00Z', session: 's', pipeline: [['true']], privileged: false, decision: 'approved' });
      logC.close();

      // Phase 1, collector up: host-a is rotated by logrotate while it writes (and the 1 MB argv).
      generateLog({ path: B.log, count: 400, seed: 1 });
      await writeA(logA, 0, 250, { at: 120, run: () => runLogrotate(tools, rotateA, path.join(root, 'host-a', 'logrotate.state')) });
      logA.request({ id: 'a-huge', time: '2026-11-01T08:00:00Z', session: 's', pipeline: [['printf', HUGE_ARG]], privileged: true, decision: 'approved' });
      expect(fs.existsSync(`${A.log}.1`), 'logrotate rotated host-a').toBe(true);
      // The 1 MB record is collected, its newline too, before the collector stops. Written just
      // before the stop (so in flight at it), it was twice not collected as written, in
      // full-suite runs only (stop 25's CI and a clean clone's .ci/run here; 0 of 35 runs of this
      // file alone, 0 of 220 stop and crash cycles of a small harness): an open finding, in the
      // README's fleet limits.
      const hugeCollected = () =>
        logSetOf(path.join(collectedDir, 'host-a', 'audit.log'))
          .flatMap(completeLines)
          .some((l) => l.includes('"id":"a-huge"'));
      const hugeBy = Date.now() + DELIVERY_DEADLINE_MS;
      while (!hugeCollected() && Date.now() < hugeBy) await sleep(50);
      mark('the 1 MB record collected');

      // Phase 2, collector down (mid-stream: batches may be in flight): the senders queue.
      // host-b's sender is restarted meanwhile, as its unit does it: the saved queue comes back,
      // and ExecStartPre makes imfile re-send the current file (rsyslog 8.2302 drops the batch
      // it was retrying at the stop, yet saves a read position past it).
      const tStop = Date.now();
      mark('collector stopping');
      await collector.daemon?.stop();
      mark('collector stopped');
      await writeA(logA, 250, 500);
      generateLog({ path: B.log, count: 400, seed: 2, startMs: Date.parse('2026-11-02T08:00:00Z') });
      await sleep(500);
      mark('host-b sender stopping');
      await B.daemon?.stop();
      generateLog({ path: B.log, count: 200, seed: 3, startMs: Date.parse('2026-11-03T08:00:00Z') });
      startSender(B);
      await sleep(1_000);

      // Phase 3, collector back: the backlog arrives while its files are rotated (HUP) too.
      await startCollector();
      mark('collector restarted');
      const tRestart = Date.now();
      await writeA(logA, 500, 750, { at: 600, run: () => runLogrotate(tools, rotateCollector, path.join(root, 'collector', 'logrotate.state')) });
      logA.close();
      generateLog({ path: B.log, count: 400, seed: 4, startMs: Date.parse('2026-11-04T08:00:00Z') });

      // The collector crashes (SIGKILL) with the backlog half through its queue, and comes back.
      mark('collector crashing');
      await collector.daemon?.crash();
      await startCollector();
      mark('collector back after the crash');
      const tCrash = Date.now();

      // What was written, read back from the writers' files (every rotation), byte for byte.
      const written = new Map<string, string[]>();
      for (const h of [A, B]) written.set(h.name, logSetOf(h.log).flatMap(completeLines));
      // Nothing beside the rotated set (logrotate `create` would leave a "….backup" here).
      expect(fs.readdirSync(path.dirname(A.log)).sort()).toEqual(['audit.log', 'audit.log.1']);

      const collectedFiles = (host: string) => logSetOf(path.join(collectedDir, host, 'audit.log'));
      const collected = (host: string) => collectedFiles(host).flatMap(completeLines);
      const unfiled = () => (fs.existsSync(path.join(collectedDir, 'unfiled.log')) ? completeLines(path.join(collectedDir, 'unfiled.log')) : []);
      const missing = (host: string) => {
        const have = new Set(collected(host));
        return (written.get(host) ?? []).filter((l) => !have.has(l));
      };
      const deadline = Date.now() + DELIVERY_DEADLINE_MS;
      const unfiledC = () => unfiled().some((l) => l.includes('"c-1"'));
      while ((missing('host-a').length > 0 || missing('host-b').length > 0 || !unfiledC()) && Date.now() < deadline) await sleep(250);
      const tDelivered = Date.now();
      await stopAll();

      const report: Record<string, unknown>[] = [];
      for (const host of ['host-a', 'host-b']) {
        const lines = written.get(host) ?? [];
        const got = collected(host);
        const lost = missing(host);
        const lostSeqs = lost.slice(0, 20).map((l) => (JSON.parse(asText(l)) as { seq?: number }).seq);
        // Where the first few still are (a queue spool? only the writer's file?) and when each
        // daemon stopped and started: what tells a loss in rsyslog from one in this test.
        const whereLost = lost
          .slice(0, 5)
          .map((line, i) => `seq ${lostSeqs[i]} is in: ${filesContaining(root, `"seq":${lostSeqs[i]},`).join(', ') || 'no file'}\n${howCollected(line, got)}`)
          .join('\n');
        expect(
          lost.length,
          `${host}: ${lost.length} of ${lines.length} written lines (seq ${lostSeqs.join(', ')}) never reached the collector ` +
            `(waited ${tDelivered - tCrash} ms after the collector came back)\n${whereLost}\n${timeline.join('\n')}\n${diagnostics()}`,
        ).toBe(0);
        expect(new Set(lines).size, `${host}: the writer wrote each line once`).toBe(lines.length);
        // Exactly once after dropping duplicates: nothing collected that was not written.
        const writtenSet = new Set(lines);
        const foreign = [...new Set(got)].filter((l) => !writtenSet.has(l));
        expect(foreign.map((l) => asText(l).slice(0, 200)), `${host}: collected lines that were never written (altered in transit?)`).toEqual([]);

        const files = collectedFiles(host);
        expect(fs.readdirSync(path.join(collectedDir, host)).sort()).toEqual(files.map((f) => path.basename(f)).sort());
        const arrivals = files.flatMap((file) => completeLines(file).map((text, i) => ({ file, line: i + 1, text: asText(text) })));
        const order = orderCollected(arrivals);
        expect(order.lines.length).toBe(lines.length);
        const chain = verifyChain(order.lines);
        expect(chain.break, `${host}: ${chain.break?.message}`).toBeNull();
        expect(chain.ok).toBe(true);
        expect(chain.records).toBe(lines.length);
        expect(chain.malformed).toEqual([]);
        const original = verifyChain(lines.map((text, i) => ({ file: 'written', line: i + 1, text: asText(text) })));
        expect(chain.head).toBe(original.head);

        // Private at the collector too: directories 0700, files 0600.
        expect(fs.statSync(path.join(collectedDir, host)).mode & 0o777).toBe(0o700);
        for (const f of files) expect({ f, mode: fs.statSync(f).mode & 0o777 }).toEqual({ f, mode: 0o600 });
        report.push({
          host,
          written: lines.length,
          collected: got.length,
          files: files.map((f) => path.basename(f)).join(' '),
          duplicates: order.duplicates,
          lateArrivals: order.lateArrivals,
          maxLateness: order.maxLateness,
        });
      }
      const hugeLine = (written.get('host-a') ?? []).find((l) => l.includes('"a-huge"'));
      expect(hugeLine && hugeLine.length > 1_000_000 && collected('host-a').includes(hugeLine), 'the 1 MB record arrived whole').toBe(true);
      expect(asText(hugeLine ?? '')).not.toContain('"truncated"');

      // The real command line over the collector directory: every entry written, once, with
      // its origin; and each host's chain verified in collected order.
      const requestKeys = (host: string) =>
        (written.get(host) ?? [])
          .map((l) => JSON.parse(asText(l)) as { type: string; id?: string })
          .filter((r) => r.type === 'request')
          .map((r) => `${host} ${r.id}`);
      const expectedKeys = [...requestKeys('host-a'), ...requestKeys('host-b')].sort();
      const tPrint = Date.now();
      const printed = await runCli(['print', '--json', collectedDir]);
      const printMs = Date.now() - tPrint;
      expect(printed.stderr).toBe('');
      expect(printed.code).toBe(0);
      const entries = printed.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { origin: string; id: string });
      expect(entries.length).toBe(expectedKeys.length);
      expect(entries.map((e) => `${e.origin} ${e.id}`).sort()).toEqual(expectedKeys);
      const tVerify = Date.now();
      const verified = await runCli(['verify', collectedDir]);
      const verifyMs = Date.now() - tVerify;
      expect(verified.stderr).toBe('');
      const plural = (n: unknown, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      const expectedVerdicts = report.map((r) => {
        const host = r.host as string;
        const head = verifyChain((written.get(host) ?? []).map((l, n) => ({ file: 'written', line: n + 1, text: asText(l) }))).head;
        return `${host}: ok: ${plural(r.written, 'record')}, head ${head} (${plural(r.duplicates, 'duplicate line')} dropped, ${plural(r.lateArrivals, 'record')} arrived late)`;
      });
      expect(verified.stdout).toBe([...expectedVerdicts, 'verified 2 hosts: all ok', ''].join('\n'));
      expect(verified.code).toBe(0);

      // The sender with an unparsable hostname: kept aside raw, in no host's directory.
      expect(unfiledC(), `the record of the sender named bad/name is in unfiled.log\n${diagnostics()}`).toBe(true);
      expect(fs.readdirSync(collectedDir).sort()).toEqual(['host-a', 'host-b', 'unfiled.log']);

      console.log(`fleet: rsyslog shipping, ${hosts.size} senders and a collector on 127.0.0.1`);
      console.table(report);
      console.log(
        `fleet: timings — phase 1 ${tStop - t0} ms, collector down ${tRestart - tStop} ms, ` +
          `collector restarted, then crashed after ${tCrash - tRestart} ms; ` +
          `all delivered ${tDelivered - tCrash} ms after it came back, total ${Date.now() - t0} ms`,
      );
      console.log(`fleet: the CLI over the collector directory — print --json ${entries.length} entries in ${printMs} ms, verify ${verifyMs} ms`);
    },
    TEST_TIMEOUT_MS,
  );
});
