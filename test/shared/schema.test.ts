import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditRecordSchema, requestRecordSchema, responseRecordSchema } from '../../src/shared/schema.js';

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
