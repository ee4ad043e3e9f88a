/**
 * The demo's traffic model: the detailed model (what `npm start` plays) gives every field of
 * issue #15 — escalation, client version, forward_agent, pkexec decisions, reject kinds with
 * replays of recent ids, ApprovedAlways with its policy change, and configuration reloads —
 * in an order a real daemon could write; the plain model (generated logs) is unchanged.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { createTraffic, type Scenario } from '../../src/demo/traffic.js';
import { REJECT_KINDS } from '../../src/shared/format-constants.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-traffic');

/** Plays `n` arrivals one model second apart, decisions in order of their time, through a real writer. */
function play(n: number, seed: number): { records: Record<string, unknown>[]; scenarios: Scenario[] } {
  const file = path.join(tempDir(), 'audit.log');
  let clock = Date.UTC(2026, 0, 1);
  const log = openAuditLog({ path: file, now: () => clock, warn: () => {}, operator: { uid: 1000, user: 'alice', tty: '/dev/pts/1', hostname: 'demo' } });
  const next = createTraffic(seed, { detailed: true });
  const due: { at: number; write: () => void }[] = [];
  const flush = (t: number) => {
    due.sort((a, b) => a.at - b.at);
    while (due.length > 0 && due[0].at <= t) {
      const d = due.shift()!;
      clock = Date.UTC(2026, 0, 1) + d.at;
      d.write();
    }
  };
  const scenarios: Scenario[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * 1000;
    flush(at);
    const s = next(at);
    scenarios.push(s);
    clock = Date.UTC(2026, 0, 1) + at;
    if (s.policyAtArrival) log.policy(s.policyAtArrival);
    due.push({
      at: at + s.decideAfterMs,
      write: () => {
        log.request({ ...s.request, time: '2026-01-01T00:00:00Z' });
        if (s.policyAfterDecision) log.policy(s.policyAfterDecision);
      },
    });
  }
  flush(Number.POSITIVE_INFINITY);
  log.close();
  const records = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { records, scenarios };
}

describe('the detailed traffic model (the demo daemon)', () => {
  const { records, scenarios } = play(3000, 15);
  const requests = records.filter((r) => r.type === 'request');
  const policies = records.filter((r) => r.type === 'policy');

  it('writes only records the schema accepts, every request with its escalation and client version', () => {
    for (const r of records) expect(auditRecordSchema.safeParse(r).error).toBeUndefined();
    for (const r of requests) {
      expect(r.escalation).toBe(r.privileged ? (r.host === 'build-03' ? 'pkexec' : 'sudo') : 'none');
      expect(typeof r.client_version).toBe('string');
      expect(typeof r.forward_agent).toBe('boolean');
    }
    expect(requests.some((r) => r.forward_agent === true && r.decision === 'approved')).toBe(true);
    expect(requests.some((r) => r.via === 'pkexec' && r.decision === 'approved')).toBe(true);
  });

  it('refuses with every reject kind, and a replay reuses the id of a request that arrived earlier and passed the checks', () => {
    const kinds = new Set(requests.map((r) => r.reject).filter((k) => k !== undefined));
    expect([...kinds].sort()).toEqual([...REJECT_KINDS].sort());
    const seen = new Set<string>();
    let replays = 0;
    for (const { request: r } of scenarios) {
      if (r.reject === 'replay') {
        expect(seen.has(r.id), r.id).toBe(true);
        replays++;
      } else if (r.reject === undefined || r.reject === 'prompt_error') seen.add(r.id);
      if (r.reject === 'forward_agent_privileged') expect(r).toMatchObject({ privileged: true, forwardAgent: true });
    }
    expect(replays).toBeGreaterThan(10);
  });

  it('follows each ApprovedAlways with its policy change, and no unprivileged request is approved without a prompt while the prompt is on', () => {
    let confirm = true;
    let alwaysSeen = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.type === 'policy') {
        expect(r.setting).toBe('confirm_unprivileged');
        expect(r.old).toBe(confirm);
        confirm = r.new as boolean;
        if (r.by === 'keypress') {
          const before = records[i - 1];
          expect(before).toMatchObject({ type: 'request', id: r.request_id, always: true, decision: 'approved', privileged: false });
          alwaysSeen++;
        } else expect(r).toMatchObject({ by: 'config', request_id: null, new: true });
      }
      if (r.type === 'request' && !r.privileged && r.decision === 'approved' && r.via === 'policy') expect(confirm).toBe(false);
    }
    expect(alwaysSeen).toBeGreaterThan(1);
    expect(policies.some((p) => p.by === 'config')).toBe(true);
    expect(scenarios.filter((s) => s.request.always).length).toBe(alwaysSeen);
  });
});

describe('the plain traffic model (generated logs)', () => {
  it('is the same sequence as before the detailed model existed: no new fields', () => {
    const next = createTraffic(7);
    const first = Array.from({ length: 200 }, () => next());
    for (const s of first) {
      expect(s.request).not.toHaveProperty('escalation');
      expect(s.request).not.toHaveProperty('reject');
      expect(s.policyAtArrival ?? s.policyAfterDecision).toBeUndefined();
    }
    // The digest of seed 7's first 2,000 scenarios from the model before the detailed one existed.
    const again = createTraffic(7);
    const digest = createHash('sha256');
    for (let i = 0; i < 2000; i++) digest.update(JSON.stringify(again()));
    expect(digest.digest('hex')).toBe('1d4efb5df8d97f20e23b90bc20d5d3cb57388127b6f8f3293dd3c3555579a7a7');
  });

  it('generated logs carry no operator: the same bytes for a seed on every machine', () => {
    const file = path.join(tempDir(), 'gen.log');
    generateLog({ path: file, count: 60, seed: 3 });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('"operator":{');
    expect(text).not.toContain('"escalation"');
  });

  it("the default generated bytes are pinned: the detailed option changes nothing when it is off", () => {
    const file = path.join(tempDir(), 'gen.log');
    generateLog({ path: file, count: 2000, seed: 3, runningShare: 0.05 });
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe('1084a069bbd675ca1c7659354466e5566ea39a505f86db8df0f7fd2519cb0385');
  });
});

describe('generated logs of the detailed model (generateLog detailed)', () => {
  it('carry the fields of issue #15, policy changes after their ApprovedAlways, and stay deterministic', () => {
    const dir = tempDir();
    const gen = (name: string) => {
      const file = path.join(dir, name);
      generateLog({ path: file, count: 3000, seed: 15, detailed: true });
      return fs.readFileSync(file, 'utf8');
    };
    const text = gen('a.log');
    expect(gen('b.log')).toBe(text);
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expect(auditRecordSchema.safeParse(r).success).toBe(true);
    const requests = records.filter((r) => r.type === 'request');
    expect(requests.every((r) => typeof r.escalation === 'string' && typeof r.client_version === 'string')).toBe(true);
    expect(requests.some((r) => r.reject === 'replay')).toBe(true);
    expect(requests.some((r) => r.forward_agent === true)).toBe(true);
    expect(text).not.toContain('"operator":{');
    const always = records.findIndex((r) => r.always === true);
    expect(always).toBeGreaterThan(0);
    expect(records[always + 1]).toMatchObject({ type: 'policy', by: 'keypress', request_id: records[always].id });
  });
});
