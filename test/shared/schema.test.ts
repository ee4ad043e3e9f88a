import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REJECT_KINDS } from '../../src/shared/format-constants.js';
import { auditRecordSchema, policyRecordSchema, requestRecordSchema, responseRecordSchema, writerRecordSchema } from '../../src/shared/schema.js';

const request = {
  v: 1, type: 'request', id: 'a1', time: '2026-11-27T09:56:54Z', host: '', session: 's', pipeline: [['uptime']],
  resolved: ['/usr/bin/uptime'], env_keys: ['PATH'], reason: 'load', privileged: false, decision: 'approved', via: 'policy', latency_ms: null,
};

describe('record schema', () => {
  it('accepts every record example in the README, so the documentation cannot drift from the format', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const examples = readme.split('\n').filter((l) => l.startsWith('{"v":1') && !l.includes('"prev":"…"'));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const line of examples) expect(auditRecordSchema.safeParse(JSON.parse(line)).error).toBeUndefined();
  });

  it('accepts records without chain fields (other writers) and rejects a malformed prev', () => {
    expect(requestRecordSchema.safeParse(request).success).toBe(true);
    expect(requestRecordSchema.safeParse({ ...request, seq: 3, prev: 'abc' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, seq: 0, prev: '0'.repeat(64) }).success).toBe(false);
  });

  it('requires an error message on a rejected request', () => {
    expect(requestRecordSchema.safeParse({ ...request, decision: 'rejected' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, decision: 'rejected', error: 'not allowed' }).success).toBe(true);
  });

  it('rejects unknown decisions, a non-array pipeline and negative lengths', () => {
    expect(requestRecordSchema.safeParse({ ...request, decision: 'maybe' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, pipeline: 'rm -rf /' }).success).toBe(false);
    const response = {
      v: 1, type: 'response', id: 'a1', time: '2026-11-27T09:56:55.120Z', status: 'ok', error: null,
      stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 10, stdout_truncated: false, duration_ms: 12,
    };
    expect(responseRecordSchema.safeParse(response).success).toBe(true);
    expect(responseRecordSchema.safeParse({ ...response, stdout_len: -1 }).success).toBe(false);
    expect(responseRecordSchema.safeParse({ ...response, stages: [{ exit_code: 1.5, stderr_len: 0, stderr_truncated: false }] }).success).toBe(false);
  });
});

const operator = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
const policy = {
  v: 1, type: 'policy', seq: 7, prev: '0'.repeat(64), logged: '2026-11-27T09:56:55.120Z', time: '2026-11-27T09:56:55.120Z',
  setting: 'confirm_unprivileged', old: true, new: false, request_id: 'a1', by: 'keypress', operator,
};

describe('record schema: who decided, how, and policy changes (issue #15)', () => {
  it('accepts every new request field, and older records without them', () => {
    const full = { ...request, privileged: true, via: 'pkexec', escalation: 'pkexec', forward_agent: false, client_version: '0.4.1', operator };
    expect(requestRecordSchema.safeParse(full).error).toBeUndefined();
    expect(requestRecordSchema.safeParse({ ...request, decision: 'approved', always: true, escalation: 'none' }).error).toBeUndefined();
    for (const kind of REJECT_KINDS) expect(requestRecordSchema.safeParse({ ...request, decision: 'rejected', error: 'no', reject: kind }).error).toBeUndefined();
    expect(requestRecordSchema.safeParse({ ...request, operator: { ...operator, tty: null, user: '' } }).error).toBeUndefined();
    expect(auditRecordSchema.safeParse(full).success).toBe(true);
  });

  it('refuses a reject kind outside the closed list, or on a request that was not rejected', () => {
    expect(requestRecordSchema.safeParse({ ...request, decision: 'rejected', error: 'no', reject: 'cosmic_ray' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, decision: 'denied', reject: 'replay' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, decision: 'approved', reject: 'replay' }).success).toBe(false);
    // The message stays required beside the kind.
    expect(requestRecordSchema.safeParse({ ...request, decision: 'rejected', reject: 'replay' }).success).toBe(false);
  });

  it('refuses always other than true, or on a request that was not approved', () => {
    expect(requestRecordSchema.safeParse({ ...request, always: false }).success).toBe(false);
    for (const decision of ['denied', 'timeout']) expect(requestRecordSchema.safeParse({ ...request, decision, always: true }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, decision: 'rejected', error: 'no', always: true }).success).toBe(false);
  });

  it('refuses an unknown escalation or via, a non-boolean forward_agent, and a malformed operator', () => {
    expect(requestRecordSchema.safeParse({ ...request, escalation: 'doas' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, via: 'ssh' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, forward_agent: 'yes' }).success).toBe(false);
    expect(requestRecordSchema.safeParse({ ...request, client_version: 4 }).success).toBe(false);
    for (const bad of [{ ...operator, uid: -1 }, { ...operator, uid: 1.5 }, { ...operator, tty: 3 }, { uid: 0, user: 'root', hostname: 'h' }, 'alice'])
      expect(requestRecordSchema.safeParse({ ...request, operator: bad }).success).toBe(false);
  });

  it('accepts an operator on a writer start record', () => {
    const start = { v: 1, type: 'writer', time: '2026-11-27T09:56:54.000Z', event: 'start', pid: 42, operator };
    expect(writerRecordSchema.safeParse(start).error).toBeUndefined();
    expect(writerRecordSchema.safeParse({ ...start, operator: { ...operator, hostname: null } }).success).toBe(false);
  });

  it('accepts a policy record, with any scalar old/new and a null request id, and refuses other by values', () => {
    expect(policyRecordSchema.safeParse(policy).error).toBeUndefined();
    expect(auditRecordSchema.safeParse(policy).success).toBe(true);
    for (const value of [null, 3, 'strict', false]) expect(policyRecordSchema.safeParse({ ...policy, old: value, new: value }).error).toBeUndefined();
    expect(policyRecordSchema.safeParse({ ...policy, request_id: null, by: 'config' }).error).toBeUndefined();
    expect(policyRecordSchema.safeParse({ ...policy, by: 'magic' }).success).toBe(false);
    expect(policyRecordSchema.safeParse({ ...policy, old: [true] }).success).toBe(false);
    expect(policyRecordSchema.safeParse({ ...policy, new: { on: false } }).success).toBe(false);
    const { setting: _s, ...noSetting } = policy;
    expect(policyRecordSchema.safeParse(noSetting).success).toBe(false);
  });
});
