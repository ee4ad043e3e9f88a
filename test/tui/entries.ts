/** Hand-built entries for component and store tests: realistic defaults, override what matters. */
import type { Entry } from '../../src/shared/entry.js';
import { unsaid } from '../../src/shared/join.js';

let nextKey = 1;

/** 2026-11-26 08:00:00 UTC: tests run with TZ=UTC, so this is what the table shows. */
export const BASE_MS = Date.UTC(2026, 10, 26, 8, 0, 0);

export function makeEntry(overrides: Partial<Entry> = {}): Entry {
  const key = overrides.key ?? nextKey++;
  const timeMs = overrides.timeMs ?? BASE_MS + key * 60_000;
  return {
    key,
    id: `00000000-0000-4000-8000-${String(key).padStart(12, '0')}`,
    origin: '',
    state: 'ok',
    time: Number.isFinite(timeMs) ? `${new Date(timeMs).toISOString().slice(0, 19)}Z` : 'not a time',
    logged: null,
    timeMs,
    host: 'web-01',
    session: 'claude-7f3c',
    pipeline: [['systemctl', 'restart', 'nginx']],
    resolved: ['/usr/bin/systemctl'],
    envKeys: ['HOME', 'PATH'],
    reason: 'apply the new vhost config',
    privileged: true,
    decision: 'approved',
    via: 'operator',
    latencyMs: 4_200,
    requestError: null,
    ...unsaid(),
    completedTime: Number.isFinite(timeMs) ? new Date(timeMs + 5_000).toISOString() : null,
    completedMs: timeMs + 5_000,
    status: 'ok',
    error: null,
    stages: [{ exitCode: 0, stderrLen: 0, stderrTruncated: false }],
    stdoutLen: 1_800,
    stdoutTruncated: false,
    durationMs: 900,
    request: { file: '/var/log/sudo-proxy/audit.log', line: key * 2, offset: key * 400, length: 390, seq: key * 2 },
    response: { file: '/var/log/sudo-proxy/audit.log', line: key * 2 + 1, offset: key * 400 + 390, length: 200, seq: key * 2 + 1 },
    anomalies: [],
    ...overrides,
  };
}

/** One entry in each state, as the joiner would produce them. */
export function entryInState(state: Entry['state'], overrides: Partial<Entry> = {}): Entry {
  switch (state) {
    case 'ok':
      return makeEntry(overrides);
    case 'running':
      return makeEntry({
        state,
        pipeline: [['apt-get', 'install', '-y', 'nginx']],
        completedTime: null,
        completedMs: Number.NaN,
        status: null,
        stages: [],
        stdoutLen: null,
        durationMs: null,
        response: null,
        ...overrides,
      });
    case 'failed':
      return makeEntry({
        state,
        pipeline: [['journalctl', '-u', 'ssh'], ['tail', '-50']],
        resolved: ['/usr/bin/journalctl', '/usr/bin/tail'],
        stages: [
          { exitCode: 0, stderrLen: 0, stderrTruncated: false },
          { exitCode: 1, stderrLen: 312, stderrTruncated: false },
        ],
        stdoutLen: 2_000_000,
        stdoutTruncated: true,
        durationMs: 25_300,
        ...overrides,
      });
    case 'denied':
    case 'timeout':
    case 'rejected':
      return makeEntry({
        state,
        decision: state,
        via: state === 'rejected' ? 'policy' : 'operator',
        latencyMs: state === 'timeout' ? 60_000 : state === 'rejected' ? null : 3_100,
        requestError: state === 'rejected' ? 'command not in the allow-list' : null,
        pipeline: [['rm', '-rf', '/var/cache/app/tmp']],
        completedTime: null,
        completedMs: Number.NaN,
        status: null,
        stages: [],
        stdoutLen: null,
        durationMs: null,
        response: null,
        ...overrides,
      });
  }
}

/**
 * A collector directory's entries: `n` a minute apart from 08:00 UTC, collected from each of
 * `origins` in turn, each carrying its origin's name as its own host label too (as a sender
 * usually does).
 */
export function fleetEntries(n: number, origins: readonly string[], overrides: Partial<Entry> = {}): Entry[] {
  return Array.from({ length: n }, (_, i) => {
    const origin = origins[i % origins.length];
    return makeEntry({ timeMs: BASE_MS + i * 60_000, origin, host: origin, ...overrides });
  });
}
