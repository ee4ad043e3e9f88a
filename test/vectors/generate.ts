/**
 * Writes the golden vectors (schema/vectors/lines.json, sessions.json) from the TypeScript
 * writer: `npm run vectors`. Run once when the format changes, review the diff, commit; both
 * test suites then hold their writer to these bytes (test/vectors/vectors.test.ts and
 * rust/tests/vectors.rs). The writer runs with an injected clock and pid (its `now` and
 * `pid` options): nothing else in a line depends on the machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashLine } from '../../src/shared/chain.js';
import { GENESIS_HASH } from '../../src/shared/format-constants.js';
import { generalLine, toRequestRecord, toResponseRecord } from '../../src/writer/record-line.js';
import { openAuditLog } from '../../src/writer/audit-log.js';
import type { OperatorInfo } from '../../src/shared/schema.js';
import { type LineVector, operatorOf, policyInput, policyRecord, type RawPolicy, type RawRecord, type RawRequest, type RawResponse, requestInput, responseInput, type SessionStep, type SessionVector, writerRecord } from './vector-input.js';

const OUT = path.join(import.meta.dirname, '../../schema/vectors');
/** Lines longer than this are kept as their length and hash only. */
const KEEP_LINE_BYTES = 4096;
const T0 = Date.UTC(2026, 0, 15, 9, 30, 0, 123);
const PREV = hashLine('a line before');

/** Strings a hostile client sends: every one must reach the file escaped as JSON.stringify escapes it. */
const HOSTILE = {
  esc: '\u001b[31mred\u001b[0m\u001b]0;title\u0007',
  c1: 'csi\u009b31m nel\u0085 st\u009c',
  bidi: 'rm -rf \u202e/\u202d \u2066iso\u2069',
  lines: 'one\u2028two\u2029three\nfour\rfive\ttab\u0000nul\u0008bs\u000cff\u007fdel',
  astral: '\u{1F600} \u{1D54F} \u{10FFFF} 𝒳',
  quotes: 'say "hi" \\ back/slash </script>',
};

const request = (over: Partial<RawRequest> = {}): RawRequest => ({
  id: '6f1c2a3e-0b7d-4c2a-9f1e-2d3c4b5a6978',
  time: '2026-01-15T09:29:58Z',
  host: '',
  session: 'sess-1',
  pipeline: [['ls', '-la', '/root']],
  resolved: ['/usr/bin/ls'],
  env: ['PATH', 'LANG=C.UTF-8'],
  reason: 'check the root home',
  privileged: true,
  decision: 'approved',
  via: 'operator',
  latency_ms: 1532,
  ...over,
});

/** Who decided, as a writer fills it from the OS (or the daemon overrides it). */
const OPERATOR: OperatorInfo = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
/** pkexec mode: no terminal; a uid without a name. */
const NO_TTY: OperatorInfo = { uid: 4294967294, user: '', tty: null, hostname: 'ci-runner.example.org' };
const hostileOperator = (s: string): OperatorInfo => ({ uid: 0, user: s, tty: s, hostname: s });

const policy = (over: Partial<RawPolicy> = {}): RawPolicy => ({
  setting: 'confirm_unprivileged',
  old: true,
  new: false,
  request_id: '6f1c2a3e-0b7d-4c2a-9f1e-2d3c4b5a6978',
  by: 'keypress',
  operator: OPERATOR,
  ...over,
});

const response = (over: Partial<RawResponse> = {}): RawResponse => ({
  id: '6f1c2a3e-0b7d-4c2a-9f1e-2d3c4b5a6978',
  time: '2026-01-15T09:30:01.250Z',
  ok: true,
  error: null,
  stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }],
  stdout_len: 1234,
  stdout_truncated: false,
  duration_ms: 12.5,
  ...over,
});

const LINE_CASES: { name: string; record: RawRecord }[] = [
  { name: 'request approved at the prompt', record: { request: request() } },
  { name: 'request denied, remote host, pipeline of two', record: { request: request({ decision: 'denied', host: 'web-3', pipeline: [['cat', '/etc/shadow'], ['grep', 'root']], resolved: ['/usr/bin/cat', null], latency_ms: 250.75 }) } },
  { name: 'request timed out at the prompt', record: { request: request({ decision: 'timeout', latency_ms: 60000 }) } },
  { name: 'request approved by policy, unprivileged, no prompt', record: { request: request({ privileged: false, via: 'policy', latency_ms: null, env: [] }) } },
  { name: 'refusal before any prompt (replay)', record: { request: request({ decision: 'rejected', via: 'policy', latency_ms: null, error: 'duplicate request id (replay)' }) } },
  { name: 'rejected without a message', record: { request: request({ decision: 'rejected', latency_ms: null }) } },
  { name: 'approved with an error note', record: { request: request({ error: 'note from the daemon' }) } },
  { name: 'optional fields absent', record: { request: { id: 'x', time: 't', session: '', pipeline: [['true']], privileged: false, decision: 'approved' } } },
  { name: 'empty id and empty pipeline', record: { request: { id: '', time: '', session: '', pipeline: [], privileged: false, decision: 'denied' } } },
  { name: 'resolved shorter and longer than the pipeline', record: { request: request({ pipeline: [['a'], ['b'], ['c']], resolved: ['/bin/a'] }) } },
  { name: 'env: names only, unique, sorted by UTF-16 units', record: { request: request({ env: ['ZED=1', 'alpha', 'PATH=/bin:/usr/bin', 'PATH', '\u{1F600}X', '\uFFFDY', 'A=B=C', '=lead'] }) } },
  { name: 'latency: fractions, negatives, huge', record: { request: request({ latency_ms: 0.1 + 0.2 }) } },
  { name: 'latency negative is 0', record: { request: request({ latency_ms: -5 }) } },
  { name: 'latency tiny', record: { request: request({ latency_ms: 1e-7 }) } },
  ...Object.entries(HOSTILE).map(([kind, s]) => ({
    name: `hostile strings: ${kind}`,
    record: { request: request({ id: `id-${s}`, time: s, host: s, session: s, pipeline: [['sh', '-c', s], [s]], resolved: [s, s], env: [`${s}=v`, s], reason: s, error: s }) },
  })),
  { name: 'response ok', record: { response: response() } },
  { name: 'response error: spawn failure', record: { response: response({ ok: false, error: 'spawn failed: ENOENT', stages: [], stdout_len: 0 }) } },
  { name: 'response without a time takes the writer clock', record: { response: response({ time: undefined }) } },
  { name: 'response: killed stage, truncated outputs, pipeline', record: { response: response({ stages: [{ exit_code: -1, stderr_len: 70000, stderr_truncated: true }, { exit_code: 137, stderr_len: 3, stderr_truncated: false }], stdout_truncated: true, duration_ms: 60000.001 }) } },
  { name: 'response: numbers saturate at 2^53-1', record: { response: response({ stages: [{ exit_code: 1e300, stderr_len: 2 ** 60, stderr_truncated: false }, { exit_code: -(2 ** 62), stderr_len: 9007199254740993, stderr_truncated: false }], stdout_len: 2 ** 64, duration_ms: 1e21 }) } },
  { name: 'response: duration negative and fractional', record: { response: response({ duration_ms: -3 }) } },
  { name: 'response: hostile error', record: { response: response({ ok: false, error: Object.values(HOSTILE).join(' | ') }) } },
  { name: 'writer start', record: { writer: { time_ms: T0, event: 'start', pid: 4242 } } },
  { name: 'writer stop', record: { writer: { time_ms: T0 + 5000, event: 'stop', pid: 4242 } } },
  { name: 'writer dropped', record: { writer: { time_ms: T0 + 1000, event: 'dropped', pid: 4242, dropped: 17, error: 'cannot write /var/log/sudo-proxy/audit.log: ENOSPC: no space left on device' } } },
  { name: 'writer dropped: notice only', record: { writer: { time_ms: T0 + 1000, event: 'dropped', pid: 4242, dropped: 0, error: 'the log directory /x was missing (deleted or moved) and was recreated: whatever it held is not in this file' } } },
  // Over the 1 MiB line cap: cut with markers, flagged truncated.
  { name: 'cap: one 2 MB argument', record: { request: request({ pipeline: [['echo', { repeat: 'A', times: 2_000_000 } as unknown as string]] }) } },
  { name: 'cap: an astral argument cut inside a surrogate pair', record: { request: request({ pipeline: [['echo', { repeat: 'a\u{1F600}\u{1F600}\u{1F600}', times: 200_000 } as unknown as string]] }) } },
  { name: 'cap: hostile controls in a huge argument', record: { request: request({ pipeline: [['printf', { repeat: '\u001b\u0085\u2028"\\', times: 300_000 } as unknown as string]] }) } },
  { name: 'cap: 300k arguments', record: { request: request({ pipeline: [['rm', { items: 'file-name', times: 300_000 } as unknown as string]] }) } },
  { name: 'cap: 100k stages', record: { request: request({ pipeline: [{ items: ['ls', '-l'], times: 100_000 } as unknown as string[]], resolved: [{ items: '/usr/bin/ls', times: 100_000 } as unknown as string] }) } },
  { name: 'cap: 150k env names', record: { request: request({ env: ['PATH', { numbered: 'VAR_', times: 150_000 } as unknown as string] }) } },
  { name: 'cap: a reason and an error of 600 kB each', record: { request: request({ decision: 'rejected', reason: { repeat: 'r', times: 600_000 } as unknown as string, error: { repeat: 'e', times: 600_000 } as unknown as string }) } },
  { name: 'cap: response of 30k stages', record: { response: response({ stages: [{ items: { exit_code: 1, stderr_len: 12, stderr_truncated: false }, times: 30_000 } as unknown as RawResponse['stages'][number]] }) } },
  // Issue #15 (after the older vectors, which keep their bytes): who decided, how the command
  // ran, which refusal, ApprovedAlways and the policy change it makes.
  { name: 'request with every field: operator, escalation, forward_agent, client_version', record: { request: request({ privileged: false, escalation: 'none', forward_agent: true, client_version: '0.4.1', operator: OPERATOR }) } },
  { name: 'request approved always (ApprovedAlways), unprivileged', record: { request: request({ privileged: false, always: true, escalation: 'none', forward_agent: false, client_version: '0.4.1', operator: OPERATOR }) } },
  { name: 'always with another decision is not written', record: { request: request({ decision: 'denied', always: true, operator: OPERATOR }) } },
  { name: 'request decided in pkexec\'s dialog, no terminal', record: { request: request({ via: 'pkexec', escalation: 'pkexec', latency_ms: 4200, operator: NO_TTY }) } },
  { name: 'request escalated with sudo', record: { request: request({ escalation: 'sudo', client_version: '0.3.0', operator: OPERATOR }) } },
  ...(['invalid_json', 'invalid_request', 'forward_agent_privileged', 'stale_time', 'env_not_allowed', 'replay', 'busy', 'peer_uid', 'prompt_error'] as const).map((kind) => ({
    name: `reject kind ${kind}`,
    record: { request: request({ decision: 'rejected', via: 'policy', latency_ms: null, error: `refused: ${kind}`, reject: kind, operator: OPERATOR }) },
  })),
  { name: 'reject kind unknown: no reject, the error says so', record: { request: request({ decision: 'rejected', via: 'policy', latency_ms: null, error: 'refused', reject: 'cosmic "ray"\u001b', operator: OPERATOR }) } },
  { name: 'reject kind on a request that was not rejected is not written', record: { request: request({ decision: 'approved', reject: 'replay' }) } },
  { name: 'reject kind without a message', record: { request: request({ decision: 'rejected', latency_ms: null, reject: 'busy' }) } },
  ...Object.entries(HOSTILE).map(([kind, s]) => ({
    name: `hostile operator and client_version: ${kind}`,
    record: { request: request({ client_version: s, operator: hostileOperator(s) }) },
  })),
  { name: 'policy: confirm_unprivileged switched off by ApprovedAlways', record: { policy: policy() } },
  { name: 'policy: changed by the configuration, no request, numbers and strings', record: { policy: policy({ setting: 'prompt_timeout_s', old: 60, new: 30.5, request_id: null, by: 'config', operator: NO_TTY }) } },
  { name: 'policy: null and string values, no operator', record: { policy: policy({ setting: 'mode', old: null, new: 'pkexec', operator: undefined }) } },
  { name: 'policy: an unknown by is written as config', record: { policy: policy({ by: 'telepathy' }) } },
  ...Object.entries(HOSTILE).map(([kind, s]) => ({
    name: `policy: hostile setting: ${kind}`,
    record: { policy: policy({ setting: s, old: s, new: s, request_id: s, operator: hostileOperator(s) }) },
  })),
  { name: 'writer start with its operator', record: { writer: { time_ms: T0, event: 'start', pid: 4242, operator: OPERATOR } } },
  { name: 'cap: a client_version and a hostname of 600 kB each', record: { request: request({ client_version: { repeat: 'v', times: 600_000 } as unknown as string, operator: { ...OPERATOR, hostname: { repeat: 'h', times: 600_000 } as unknown as string } }) } },
  { name: 'cap: a policy setting of 2 MB', record: { policy: policy({ setting: { repeat: 's', times: 2_000_000 } as unknown as string }) } },
];

export function lineOf(record: RawRecord, seq: number, prev: string, loggedMs: number): string {
  if (record.request) return generalLine(toRequestRecord(requestInput(record.request), operatorOf(record.request)), seq, prev, loggedMs);
  if (record.policy) return generalLine(policyRecord(record.policy, loggedMs), seq, prev, loggedMs);
  if (record.response) return generalLine(toResponseRecord(responseInput(record.response), loggedMs), seq, prev, loggedMs);
  if (record.writer) return generalLine(writerRecord(record.writer), seq, prev, loggedMs);
  throw new Error('a record is a request, a response, a writer or a policy record');
}

function lineVectors(): LineVector[] {
  let prev = PREV;
  return LINE_CASES.map(({ name, record }, i) => {
    const seq = i === 0 ? 1 : 1000 + i;
    const loggedMs = T0 + i * 1111;
    const line = lineOf(record, seq, i === 0 ? GENESIS_HASH : prev, loggedMs);
    const bytes = Buffer.byteLength(line);
    const v: LineVector = { name, seq, prev: i === 0 ? GENESIS_HASH : prev, logged_ms: loggedMs, record, bytes, sha256: hashLine(line) };
    if (bytes <= KEEP_LINE_BYTES) v.line = line;
    prev = v.sha256;
    return v;
  });
}

/** Runs the writer as a session vector says and returns what the log then holds. */
export function runSession(v: Omit<SessionVector, 'expected'>, dir: string): string {
  const file = path.join(dir, 'audit.log');
  if (v.existing !== undefined) fs.writeFileSync(file, v.existing, { mode: 0o600 });
  if (v.rotated !== undefined) fs.writeFileSync(`${file}.1`, v.rotated, { mode: 0o600 });
  let clock = v.open_at;
  const log = openAuditLog({ path: file, now: () => clock, pid: v.pid, warn: () => {}, settleMs: 0, operator: v.operator ?? false });
  for (const step of v.steps) {
    clock = step.at;
    if (step.request) log.request(requestInput(step.request));
    if (step.response) log.response(responseInput(step.response));
    if (step.policy) log.policy(policyInput(step.policy));
    if (step.close) log.close();
  }
  log.close();
  return fs.readFileSync(file, 'utf8');
}

const SESSION_STEPS: SessionStep[] = [
  { at: T0 + 10, request: request() },
  { at: T0 + 25, response: response() },
  { at: T0 + 30, request: request({ id: 'r2', decision: 'denied', latency_ms: 800.5, pipeline: [['sh', '-c', HOSTILE.esc]] }) },
  { at: T0 + 31, request: request({ id: 'r3', decision: 'rejected', via: 'policy', latency_ms: null, error: 'a stale time' }) },
  { at: T0 + 40, request: request({ id: 'r4', privileged: false, via: 'policy', latency_ms: null, pipeline: [['id']] }) },
  { at: T0 + 41, response: response({ id: 'r4', time: undefined, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 40, duration_ms: 3.25 }) },
  { at: T0 + 99, close: true },
];

/** The daemon's calls around ApprovedAlways, a replay and a pkexec decision. */
const ALWAYS_STEPS: SessionStep[] = [
  { at: T0 + 10, request: request({ id: 'u1', privileged: false, always: true, escalation: 'none', forward_agent: false, client_version: '0.4.1', pipeline: [['uptime']] }) },
  { at: T0 + 10, policy: { setting: 'confirm_unprivileged', old: true, new: false, request_id: 'u1', by: 'keypress' } },
  { at: T0 + 20, response: response({ id: 'u1' }) },
  { at: T0 + 30, request: request({ id: 'u1', privileged: false, decision: 'rejected', via: 'policy', latency_ms: null, error: 'duplicate request id', reject: 'replay', client_version: '0.4.1' }) },
  { at: T0 + 40, request: request({ id: 'p1', via: 'pkexec', escalation: 'pkexec', latency_ms: 3000 }) },
  { at: T0 + 99, close: true },
];

function sessionVectors(): SessionVector[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vectors-'));
  const run = (v: Omit<SessionVector, 'expected'>): SessionVector => {
    const dir = fs.mkdtempSync(path.join(tmp, 's-'));
    return { ...v, expected: runSession(v, dir) };
  };
  try {
    const fresh = run({ name: 'a fresh log: start, decisions, completions, stop', pid: 4242, open_at: T0, steps: SESSION_STEPS });
    const later = SESSION_STEPS.slice(0, 3).map((s) => ({ ...s, at: s.at + 60_000 }));
    const lines = fresh.expected.split('\n');
    return [
      fresh,
      run({ name: 'a restart continues the chain from the last line', pid: 4343, open_at: T0 + 60_000, existing: fresh.expected, steps: later }),
      run({ name: 'a torn last line: a fresh line, the chain from the last complete line', pid: 4343, open_at: T0 + 60_000, existing: `${fresh.expected}{"v":1,"type":"requ`, steps: later }),
      run({ name: 'a last record that lost only its newline: the chain continues from it', pid: 4343, open_at: T0 + 60_000, existing: fresh.expected.slice(0, -1), steps: later }),
      run({ name: 'just rotated: the chain continues from audit.log.1', pid: 4343, open_at: T0 + 60_000, rotated: fresh.expected, steps: later }),
      run({ name: 'rotated, and the new file already exists empty', pid: 4343, open_at: T0 + 60_000, existing: '', rotated: fresh.expected, steps: later }),
      run({ name: 'a last line that is not a record: a new chain from its hash', pid: 4343, open_at: T0 + 60_000, existing: `${lines[0]}\nnot a record\n`, steps: later }),
      run({ name: 'with an operator: on start, every request and the policy change ApprovedAlways makes', pid: 4444, open_at: T0, operator: OPERATOR, steps: ALWAYS_STEPS }),
      run({ name: 'an unchained record last: a new chain from its hash', pid: 4343, open_at: T0 + 60_000, existing: '{"v":1,"type":"writer","time":"2026-01-01T00:00:00.000Z","event":"start","pid":1}\n', steps: later }),
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const ABOUT =
  'Golden vectors of the sudo-proxy audit log: both writers (TypeScript: test/vectors/vectors.test.ts; Rust: rust/tests/vectors.rs) must produce these exact bytes. Generated by `npm run vectors` (test/vectors/generate.ts); see README.md here.';

/** One vector per line: a change to one shows as a change to its line. */
const vectorFile = (key: string, vectors: object[]): string => `{"about":${JSON.stringify(ABOUT)},\n"${key}":[\n${vectors.map((v) => JSON.stringify(v)).join(',\n')}\n]}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'lines.json'), vectorFile('lines', lineVectors()));
  fs.writeFileSync(path.join(OUT, 'sessions.json'), vectorFile('sessions', sessionVectors()));
  console.log(`wrote ${OUT}/lines.json and sessions.json`);
}
