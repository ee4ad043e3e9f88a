/**
 * `print` and `stats` on issue #15's records: who decided, refusal kinds, ApprovedAlways and
 * its policy change (a `──` line in place), replays marked as security events, and the
 * `--security` / `--operator` filters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { chainedLines, POLICY, securityRecords } from '../helpers/security-log.js';
import { linesOf, makeTempDirFactory, runCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-security');
const json = (text: string) => linesOf(text).map((l) => JSON.parse(l) as Record<string, unknown>);
let file: string;

beforeAll(() => {
  file = path.join(tempDir(), 'audit.log');
  const records = securityRecords();
  // A hostile operator on one more policy change: escaped wherever it is shown.
  records.push({ ...POLICY, request_id: null, by: 'config', operator: { uid: 0, user: 'root\u001b]0;owned\u0007', tty: null, hostname: 'h\u009b2J' } });
  fs.writeFileSync(file, chainedLines(records).map((l) => `${l}\n`).join(''));
});

describe.concurrent('print', () => {
  it('text: a policy change is a ── line in place, with who did it; a replay is marked ⚑', async () => {
    const r = await runCli(['print', '--no-header', '--utc', file]);
    expect(r.code).toBe(0);
    const lines = linesOf(r.stdout);
    const at = lines.findIndex((l) => l.includes('POLICY CHANGED'));
    expect(lines[at]).toBe(
      '── 2026-11-01 08:00:01Z ⚑ POLICY CHANGED: confirm_unprivileged: true → false by alice (uid 1000) on /dev/pts/3 at build-01 (a key at the prompt of request a)',
    );
    expect(lines[at - 1]).toContain('approved always (a)'); // request a, ApprovedAlways
    expect(lines[at + 1]).toContain('⚑ security: replay'); // request b
    expect(lines[at + 1]).toContain('rejected (replay): duplicate request id');
    expect(lines.find((l) => l.includes('systemctl') && l.includes('via pkexec'))).toBeDefined();
    // The hostile one: escaped, no raw ESC or C1 byte reaches the terminal.
    expect(r.stdout).not.toMatch(/[\u001b\u009b\u0007]/);
    expect(lines.at(-1)).toMatch(/POLICY CHANGED: confirm_unprivileged: true → false by root.*\(uid 0\) \(no terminal\) at h.*\(configuration\)$/);
  });

  it("text: a writer start names who runs the daemon, escaped", async () => {
    const r = await runCli(['print', '--no-header', '--utc', file]);
    expect(linesOf(r.stdout)[0]).toBe('── 2026-11-01 08:00:01Z writer started (pid 7) by alice (uid 1000) on /dev/pts/3 at build-01');
    const hostile = path.join(tempDir(), 'audit.log');
    const start = { ...securityRecords()[0], operator: { uid: 0, user: 'r\u001b[2Joot', tty: null, hostname: 'h\u202eost' } };
    fs.writeFileSync(hostile, chainedLines([start, start]).map((l) => `${l}\n`).join(''));
    const lines = linesOf((await runCli(['print', '--no-header', '--utc', hostile])).stdout);
    expect(lines[0]).toMatch(/^── .* writer started \(pid 7\) by r.*oot \(uid 0\) \(no terminal\) at h.*ost$/);
    expect(lines[1]).toMatch(/writer started \(pid 7\) by r.*oot \(uid 0\) \(no terminal\) at h.*ost after a crash/);
    expect(lines.join('\n')).not.toMatch(/[\u001b\u202e]/);
  });

  it('--json carries the new fields; --events adds the policy change in place', async () => {
    const entries = json((await runCli(['print', '--json', file])).stdout);
    const a = entries.find((e) => e.id === 'a');
    expect(a).toMatchObject({ always: true, escalation: 'none', forward_agent: true, client_version: '0.3.1', reject: null, security: false });
    expect(a?.operator).toEqual({ uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' });
    expect(entries.find((e) => e.id === 'b')).toMatchObject({ reject: 'replay', security: true });
    expect(entries.find((e) => e.id === 'd')).toMatchObject({ reject: null, always: false, escalation: null, forward_agent: null, client_version: null, operator: null });
    const all = json((await runCli(['print', '--json', '--events', file])).stdout);
    const at = all.findIndex((o) => o.event === 'policy');
    expect(all[at]).toMatchObject({ event: 'policy', setting: 'confirm_unprivileged', old: true, new: false, request_id: 'a', by: 'keypress', operator: { user: 'alice' }, line: 3, seq: 3 });
    expect(all[at - 1]).toMatchObject({ id: 'a' });
    expect(all[at + 1]).toMatchObject({ id: 'b' });
    expect(all[0]).toMatchObject({ event: 'writer', kind: 'start', operator: { uid: 1000, user: 'alice' } });
  });

  it('--security: the replay and the policy changes, nothing else', async () => {
    const r = await runCli(['print', '--no-header', '--security', file]);
    expect(r.code).toBe(0);
    const lines = linesOf(r.stdout);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('POLICY CHANGED');
    expect(lines[1]).toContain('⚑ security: replay');
    expect(lines[2]).toContain('POLICY CHANGED');
  });

  it('--operator: by user name or uid; policy changes by others are left out', async () => {
    const bob = json((await runCli(['print', '--json', '--events', '--operator', 'bob', file])).stdout);
    expect(bob.map((o) => o.id ?? o.event)).toEqual(['writer', 'c']);
    const byUid = json((await runCli(['print', '--json', '--operator', '1000', file])).stdout);
    expect(byUid.map((o) => o.id)).toEqual(['a', 'b', 'e']);
    const root = json((await runCli(['print', '--json', '--events', '--operator', '0', file])).stdout);
    expect(root.filter((o) => o.event === 'policy').map((o) => o.by)).toEqual(['config']);
    const empty = await runCli(['print', '--operator', '', file]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--operator needs a user name or uid');
  });
});

describe.concurrent('stats', () => {
  it('--json: security_events and rejects by kind', async () => {
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout) as Record<string, unknown>;
    expect(s.security_events).toEqual({ replays: 1, policy_changes: 2 });
    expect(s.rejects).toMatchObject({ replay: 1, busy: 1, invalid_json: 0 });
    const alice = JSON.parse((await runCli(['stats', '--json', '--operator', 'alice', file])).stdout) as Record<string, unknown>;
    expect(alice).toMatchObject({ total: 3, security_events: { replays: 1, policy_changes: 1 } });
  });

  it('policy changes obey the time window (by logged) and the operator; a host filter keeps them (they have no host)', async () => {
    const changes = async (...flags: string[]) => {
      const r = await runCli(['stats', '--json', '--utc', ...flags, file]);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { security_events: { policy_changes: number } }).security_events.policy_changes;
    };
    expect(await changes('--since', '2026-11-01T08:00:02Z')).toBe(0);
    expect(await changes('--until', '2026-11-01T08:00:01Z')).toBe(0);
    expect(await changes('--since', '2026-11-01T08:00:01Z', '--until', '2026-11-01T08:00:02Z')).toBe(2);
    expect(await changes('--since', '2026-11-01T08:00:01Z', '--operator', 'alice')).toBe(1);
    expect(await changes('--host', 'web-01')).toBe(2);
    const later = await runCli(['print', '--no-header', '--since', '2026-11-01T08:00:02Z', file]);
    expect(later.stdout).not.toContain('POLICY CHANGED');
  });

  it('text: a security line and the refusals by kind', async () => {
    const r = await runCli(['stats', file]);
    expect(r.stdout).toContain('Security events:      ⚑ 1 replayed request, 2 policy changes');
    expect(r.stdout).toMatch(/Rejected, by kind\n {2}replay +1 +33\.3%\n {2}busy +1 +33\.3%/);
  });
});

describe('a generated log of the detailed model (generateLog detailed)', () => {
  it('print --security and stats find its replays and policy changes, as many as the file holds', async () => {
    const gen = path.join(tempDir(), 'audit.log');
    generateLog({ path: gen, count: 3000, seed: 15, detailed: true });
    const records = json(fs.readFileSync(gen, 'utf8'));
    const replays = records.filter((r) => r.reject === 'replay').length;
    const policies = records.filter((r) => r.type === 'policy').length;
    expect(replays).toBeGreaterThan(0);
    expect(policies).toBeGreaterThan(0);
    const stats = JSON.parse((await runCli(['stats', '--json', gen])).stdout) as { security_events: unknown; rejects: Record<string, number> };
    expect(stats.security_events).toEqual({ replays, policy_changes: policies });
    expect(stats.rejects.replay).toBe(replays);
    expect(Object.values(stats.rejects).filter((n) => n > 0).length).toBeGreaterThan(5);
    const r = await runCli(['print', '--no-header', '--security', gen]);
    expect(r.code).toBe(0);
    const lines = linesOf(r.stdout);
    expect(lines.filter((l) => l.includes('⚑ security: replay'))).toHaveLength(replays);
    expect(lines.filter((l) => l.startsWith('── ') && l.includes('⚑ POLICY CHANGED'))).toHaveLength(policies);
    expect(lines).toHaveLength(replays + policies);
  });
});
