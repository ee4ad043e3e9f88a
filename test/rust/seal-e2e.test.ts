/**
 * Seals across languages: `sudo-proxy-audit seal init` sets up a log, the Rust example daemon
 * (rust/examples/demo_daemon) seals it as it writes — two processes, one after the other, so
 * the second continues the first's epochs from the state file — and the TypeScript
 * `verify --verification-key` accepts it. Then the attacks: one byte changed (the chain
 * breaks), and a record rewritten with the chain recomputed to fit, which only the seals catch.
 * And the format additions of issue #15 as the daemon writes them in pkexec mode with an
 * ApprovedAlways: every line a record of the schema, who decided, the refusals' kinds, the
 * policy change right after the request that caused it; and the readers over it: `stats` and
 * `print --security` find the replays and the policy change, the viewer (tmux) counts and shows them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { REJECT_KINDS } from '../../src/shared/format-constants.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { openAuditLog } from '../../src/writer/index.js';
import { sampleRequest } from '../writer/helpers.js';
import { CLI, readLines, runCli, writeLines } from '../cli/helpers.js';
import { requireTool } from '../helpers/system-tools.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { TmuxPane } from '../tui/tmux.js';
import { buildDaemon, cargo, runDaemon } from './rust-helpers.js';

const tempDir = makeTempDirFactory('spa-rust-seal');
const tmux = requireTool('tmux', { package: 'tmux', for: 'the viewer check' });
let pane: TmuxPane | null = null;

afterEach(() => {
  pane?.kill();
  pane = null;
});

/** `seal init` on a new log: the verification key it prints once. */
async function sealInit(file: string): Promise<string> {
  const init = await runCli(['seal', 'init', '--audit-log', file]);
  expect(init.code, init.stderr).toBe(0);
  return /^ {2}([0-9a-f]{64})$/m.exec(init.stdout)?.[1] as string;
}

/** The lines from `from` (0-based) on with their `prev` recomputed: the chain made to fit again. */
function rechain(lines: readonly string[], from: number): string[] {
  const out = lines.slice(0, from);
  for (let i = from; i < lines.length; i++) out.push(JSON.stringify({ ...JSON.parse(lines[i]), prev: hashLine(out[i - 1]) }));
  return out;
}

const isSeal = (line: string) => line.includes('"type":"seal"');

/** Each epoch sealed once, in order, and `verify` with the key sealed through the last line. */
async function expectEachEpochOnceAndVerified(file: string, key: string, lines: readonly string[]): Promise<void> {
  const epochs = lines.filter(isSeal).map((l) => (JSON.parse(l) as { epoch: number }).epoch);
  expect(epochs).toEqual(epochs.map((_, i) => i));
  const ok = await runCli(['verify', '--verification-key', key, file]);
  expect(ok.stdout).toContain(`sealed through seq ${lines.length}`);
  expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
}

describe.skipIf(!cargo.found)('seals the Rust writer makes, checked by TypeScript', () => {
  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error('build first (npm run build)');
    await buildDaemon();
  }, 300_000);

  it('verify --verification-key accepts the sealed log; one byte changed, or a record rewritten and re-chained, it does not', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const key = await sealInit(file);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // A seal whenever a millisecond has passed since the last: many epochs; then a second
    // process continues from the state the first left.
    for (const count of ['30', '20']) {
      const run = await runDaemon(['--audit-log', file, '--count', count, '--interval-ms', '2', '--seal-interval-ms', '1']);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    }
    const lines = readLines(file);
    const seals = lines.filter(isSeal).map((l) => JSON.parse(l) as { seq: number; epoch: number });
    expect(seals.length).toBeGreaterThan(2);
    expect(seals.map((s) => s.epoch)).toEqual(seals.map((_, i) => i)); // epochs follow each other across both processes
    expect(isSeal(lines[lines.length - 1])).toBe(true); // sealed at close

    const ok = await runCli(['verify', '--verification-key', key, file]);
    expect(ok.stdout).toContain(`sealed through seq ${lines.length}`);
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });

    // One byte of an early decision changed.
    const target = lines.findIndex((l, i) => i > 3 && l.includes('"type":"request"') && l.includes('"decision":"approved"'));
    const byte = lines.slice();
    byte[target] = byte[target].replace('"reason":"rust demo daemon"', '"reason":"rust demo daemoN"');
    expect(byte[target]).not.toBe(lines[target]);
    writeLines(file, byte);
    const broken = await runCli(['verify', '--verification-key', key, file]);
    expect(broken.code).not.toBe(0);

    // The attacker's edit: the decision rewritten, the chain recomputed so that it holds again.
    const edited = lines.slice();
    edited[target] = edited[target].replace('"decision":"approved"', '"decision":"denied"');
    writeLines(file, rechain(edited, target + 1));
    const forged = await runCli(['verify', '--verification-key', key, file]);
    expect(forged.stdout).toMatch(/^ok: \d+ records/); // the chain alone is fooled
    expect(forged.stdout + forged.stderr).toMatch(/seal failure at \S+:\d+ \(mac\)/);
    expect(forged.code).not.toBe(0);
  }, 120_000);

  it('pkexec mode and ApprovedAlways: records of the schema, who decided, reject kinds, the policy change; sealed and verified', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const key = await sealInit(file);
    const run = await runDaemon(['--audit-log', file, '--count', '64', '--pkexec', '--approve-always']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const records = readLines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expect(auditRecordSchema.safeParse(r).success, JSON.stringify(r).slice(0, 300)).toBe(true);
    const operator = records[0].operator as { uid: number; user: string; tty: string | null; hostname: string };
    expect(operator).toEqual({ uid: process.getuid?.(), user: expect.any(String), tty: null, hostname: expect.any(String) });
    const requests = records.filter((r) => r.type === 'request');
    expect(requests).toHaveLength(64);
    expect(requests.every((r) => JSON.stringify(r.operator) === JSON.stringify(operator))).toBe(true);
    // Refusals: every kind the daemon makes, beside its message.
    // (One refusal per 8 requests, each of another kind: 8 of the daemon's kinds in 64 requests.)
    const refused = requests.filter((r) => r.decision === 'rejected');
    const kinds = new Set(refused.map((r) => r.reject));
    expect(refused).toHaveLength(8);
    expect(kinds.size).toBe(8);
    expect([...kinds].every((k) => (REJECT_KINDS as readonly unknown[]).includes(k) && k !== 'prompt_error')).toBe(true);
    expect(kinds.has('replay')).toBe(true);
    // Privileged decisions in pkexec's dialog; unprivileged ones run directly.
    expect(requests.filter((r) => r.privileged && r.decision !== 'rejected').every((r) => r.via === 'pkexec' && r.escalation === 'pkexec' && r.latency_ms === null)).toBe(true);
    expect(requests.filter((r) => !r.privileged).every((r) => r.escalation === 'none' && r.forward_agent === true)).toBe(true);
    // ApprovedAlways once, then the policy change it caused, then unprivileged requests by policy.
    const always = records.findIndex((r) => r.always === true);
    expect(records.filter((r) => r.always === true)).toHaveLength(1);
    expect(records[always + 1]).toMatchObject({ type: 'policy', setting: 'confirm_unprivileged', old: true, new: false, request_id: records[always].id, by: 'keypress', operator });
    expect(requests.filter((r) => !r.privileged && r.id !== records[always].id).every((r) => r.via === 'policy')).toBe(true);
    const ok = await runCli(['verify', '--verification-key', key, file]);
    expect(ok.stdout).toContain(`sealed through seq ${records.length}`);
    expect(ok.code).toBe(0);
    // The readers over what Rust wrote: stats counts the replays and the policy change, print --security shows them.
    const replays = requests.filter((r) => r.reject === 'replay').length;
    expect(replays).toBeGreaterThan(0);
    const stats = await runCli(['stats', '--json', file]);
    expect(stats.code, stats.stderr).toBe(0);
    expect((JSON.parse(stats.stdout) as { security_events: unknown }).security_events).toEqual({ replays, policy_changes: 1 });
    const shown = await runCli(['print', '--no-header', '--security', file]);
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('⚑ security: replay'))).toHaveLength(replays);
    const change = lines.filter((l) => l.startsWith('── ') && l.includes('⚑ POLICY CHANGED'));
    expect(change).toHaveLength(1);
    expect(change[0]).toContain(`confirm_unprivileged: true → false by ${operator.user === '' ? `uid ${operator.uid}` : `${operator.user} (uid ${operator.uid})`} (no terminal)`);
    expect(change[0]).toContain(`(a key at the prompt of request ${String(records[always].id)})`);
    // The viewer in a real terminal: the header's count, and the policy change a row in place.
    if (!tmux.found) return;
    pane = new TmuxPane('rust-e2e-security', 160, 40, { TZ: 'UTC', NO_COLOR: '1' });
    pane.run(`node ${CLI} view --no-follow ${file}`);
    // It opens on the newest rows; the policy change is near the top (`g`). (Before the first frame
    // came from the tail, the history's first rows passed by on screen and this caught them there.)
    await pane.waitFor('the security count', (t) => t.includes(`⚑ ${replays + 1} security`) && t.includes('end of file'), 60_000);
    pane.keys('g');
    await pane.waitFor('the policy change, a row in place', (t) => /┄┄ ⚑ POLICY CHANGED confirm_unprivileged: true → false by /.test(t), 60_000);
    pane.keys('q');
  }, 120_000);

  it.each([
    ['written', 'the new state written, not yet renamed: the old key is still the state’s, and seals next'],
    ['replaced', 'the state replaced, the seal not yet in the log: the next process appends it first'],
  ])('a daemon SIGKILLed mid-seal (%s): %s; no key seals twice, verify ok', async (step) => {
    const file = path.join(tempDir(), 'audit.log');
    const key = await sealInit(file);
    const killed = await runDaemon(['--audit-log', file, '--count', '10', '--interval-ms', '2', '--seal-interval-ms', '1', '--kill-at-seal', step]);
    expect(killed.signal).toBe('SIGKILL');
    const before = readLines(file);
    expect(before.some(isSeal)).toBe(false); // killed in its first seal
    const restart = await runDaemon(['--audit-log', file, '--count', '10', '--interval-ms', '2', '--seal-interval-ms', '1']);
    expect({ code: restart.code, stderr: restart.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = readLines(file);
    // `replaced`: the seal made before the crash is the restart's first line, right where it belongs.
    expect(isSeal(lines[before.length])).toBe(step === 'replaced');
    await expectEachEpochOnceAndVerified(file, key, lines);
  }, 120_000);

  it('one sealed log, Rust then TypeScript then Rust: the epochs go on across languages, verify ok', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const key = await sealInit(file);
    const rust = ['--audit-log', file, '--count', '8', '--interval-ms', '2', '--seal-interval-ms', '1'];
    expect((await runDaemon(rust)).code).toBe(0);
    const ts = openAuditLog({ path: file, sealInterval: 1, operator: false });
    for (let i = 0; i < 5; i++) ts.request(sampleRequest(i));
    ts.close();
    expect((await runDaemon(rust)).code).toBe(0);
    const lines = readLines(file);
    // The TypeScript writer sealed in between (at least at its close, after its stop record).
    const byTs = (l: string) => l.includes('"id":"req-') || l.includes(`"pid":${process.pid}`);
    expect(lines.some((l, i) => isSeal(l) && byTs(lines[i - 1]))).toBe(true);
    await expectEachEpochOnceAndVerified(file, key, lines);
  }, 120_000);
});
