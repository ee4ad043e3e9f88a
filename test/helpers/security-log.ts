/** A hand-built log with every field of issue #15 (chained), for the engine, CLI and viewer tests. */
import { hashLine } from '../../src/shared/chain.js';
import { GENESIS_HASH } from '../../src/shared/format-constants.js';
import { request, response } from './records.js';

export const ALICE = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
export const BOB = { uid: 1001, user: 'bob', tty: null, hostname: 'build-01' };
export const LOGGED = '2026-11-01T08:00:01.000Z';

/** Records as chained lines (seq from 1, each prev the hash of the line before). */
export function chainedLines(records: Record<string, unknown>[]): string[] {
  let prev = GENESIS_HASH;
  return records.map((r, i) => {
    const { v, type, ...rest } = r;
    const line = JSON.stringify({ v, type, seq: i + 1, prev, ...rest });
    prev = hashLine(line);
    return line;
  });
}

export const POLICY = {
  v: 1,
  type: 'policy',
  logged: LOGGED,
  time: LOGGED,
  setting: 'confirm_unprivileged',
  old: true,
  new: false,
  request_id: 'a',
  by: 'keypress',
  operator: ALICE,
};

/** A log with every new field: an ApprovedAlways and its policy change, a replay, pkexec, an older record. */
export function securityRecords(): Record<string, unknown>[] {
  return [
    { v: 1, type: 'writer', logged: LOGGED, time: LOGGED, event: 'start', pid: 7, operator: ALICE },
    { ...request('a', { privileged: false }), always: true, escalation: 'none', forward_agent: true, client_version: '0.3.1', operator: ALICE },
    POLICY,
    response('a'),
    { ...request('b', { decision: 'rejected', via: 'policy', latency_ms: null, error: 'duplicate request id' }), reject: 'replay', escalation: 'sudo', operator: ALICE },
    { ...request('c', { via: 'pkexec' }), escalation: 'pkexec', operator: BOB },
    request('d', { decision: 'rejected', via: 'policy', latency_ms: null, error: 'old writer' }),
    { ...request('e', { decision: 'rejected', via: 'policy', latency_ms: null, error: 'server busy' }), reject: 'busy', operator: ALICE },
  ];
}

