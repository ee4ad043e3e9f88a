/** Hand-made request and response records (plain objects, no test runner: scripts use them too). */
import type { RequestRecord, ResponseRecord } from '../../src/shared/schema.js';

export function request(id: string, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    v: 1,
    type: 'request',
    id,
    time: '2026-11-01T08:00:00Z',
    host: 'web-01',
    session: 'ssh:alice',
    pipeline: [['systemctl', 'restart', 'nginx']],
    resolved: ['/usr/bin/systemctl'],
    env_keys: ['PATH'],
    reason: 'apply the new vhost config',
    privileged: true,
    decision: 'approved',
    via: 'operator',
    latency_ms: 1200,
    ...overrides,
  };
}

export function response(id: string, overrides: Partial<ResponseRecord> = {}): ResponseRecord {
  return {
    v: 1,
    type: 'response',
    id,
    time: '2026-11-01T08:00:05.000Z',
    status: 'ok',
    error: null,
    stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }],
    stdout_len: 10,
    stdout_truncated: false,
    duration_ms: 900,
    ...overrides,
  };
}
