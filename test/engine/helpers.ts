/** Shared by the engine tests: temp dirs, hand-made records (raw lines), waiting for delivery. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { AuditEngine, Entry } from '../../src/shared/entry.js';
import type { RequestRecord, ResponseRecord } from '../../src/shared/schema.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'engine'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spa-${prefix}-`));
  made.push(dir);
  return dir;
}

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

export function writerStart(pid = 1): Record<string, unknown> {
  return { v: 1, type: 'writer', time: '2026-11-01T08:00:00.000Z', event: 'start', pid };
}

/** Records as JSONL text (each line ends with a newline). */
export function jsonl(...records: object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Every entry of an engine, oldest first. */
export function entriesOf(engine: AuditEngine): Entry[] {
  return Array.from({ length: engine.size() }, (_, i) => engine.entry(i));
}

export const ids = (engine: AuditEngine) => entriesOf(engine).map((e) => e.id);

/** Generous: the machine running the tests is shared and can be slow; delivery is polled, never slept on. */
export const WAIT = { timeout: 10_000, interval: 20 };
