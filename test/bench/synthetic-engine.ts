/**
 * An AuditEngine over any number of synthetic entries, built on demand from their position:
 * a million entries cost no memory, so the viewer's benchmark measures the viewer. Entries are
 * realistic (the demo's commands, hosts and sessions; every state) and deterministic.
 */
import { EventEmitter } from 'node:events';
import type {
  AuditEngine,
  ChainStatus,
  EngineNotice,
  Entry,
  EntryFilter,
  EntryState,
  EntryStats,
  IndexProgress,
  MalformedLine,
  WriterEvent,
} from '../../src/shared/entry.js';
import { compileFilter, matchesFilter } from '../../src/shared/query.js';
import { computeStats, factsOf } from '../shared/oracles/entry-query.js';

const PIPELINES: string[][][] = [
  [['apt-get', 'install', '-y', 'nginx']],
  [['systemctl', 'restart', 'nginx']],
  [['journalctl', '-u', 'ssh'], ['tail', '-50']],
  [['tail', '-n', '200', '/var/log/nginx/error.log']],
  [['dmesg'], ['grep', '-i', 'oom']],
  [['find', '/var/log', '-name', '*.gz', '-mtime', '+30'], ['xargs', 'rm', '-f']],
  [['ps', 'aux'], ['sort', '-nrk', '3'], ['head', '-20']],
  [['curl', '-fsS', 'http://127.0.0.1:8080/healthz']],
  [['tcpdump', '-i', 'eth0', '-c', '1000', 'port', '53']],
  [['df', '-h']],
];
const HOSTS = ['', 'web-01', 'web-02', 'db-primary', 'build-03'];
const SESSIONS = ['claude-7f3c', 'codex-91ab', 'ssh:alice', 'ssh:bob', 'ci-runner-12', 'aider-04d2'];
/** Roughly the demo's mix: mostly ok, a few of each problem, running ones near the end. */
const STATE_WHEEL: EntryState[] = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed', 'denied', 'timeout', 'rejected', 'ok'];

const mix = (i: number) => (Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ (i >>> 3)) >>> 0;

export function syntheticEntry(i: number, size: number, startMs: number): Entry {
  const h = mix(i);
  const pipeline = PIPELINES[h % PIPELINES.length];
  let state = STATE_WHEEL[(h >>> 4) % STATE_WHEEL.length];
  if (i >= size - 3) state = 'running';
  const timeMs = startMs + i * 2_000;
  const ran = state === 'ok' || state === 'failed' || state === 'running';
  const done = state === 'ok' || state === 'failed';
  const decision = state === 'denied' || state === 'timeout' || state === 'rejected' ? state : 'approved';
  const host = HOSTS[(h >>> 8) % HOSTS.length];
  return {
    key: i,
    id: `${(h >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`,
    origin: '',
    state,
    time: `${new Date(timeMs).toISOString().slice(0, 19)}Z`,
    logged: new Date(timeMs).toISOString(),
    timeMs,
    host,
    session: SESSIONS[(h >>> 12) % SESSIONS.length],
    pipeline,
    resolved: pipeline.map((stage) => `/usr/bin/${stage[0]}`),
    envKeys: ['HOME', 'LANG', 'PATH'],
    reason: 'routine maintenance on the staging fleet',
    privileged: (h & 1) === 0,
    decision,
    via: state === 'rejected' ? 'policy' : 'operator',
    latencyMs: state === 'rejected' ? null : state === 'timeout' ? 60_000 : 700 + (h % 9_000),
    requestError: state === 'rejected' ? 'command not in the allow-list' : null,
    reject: state === 'rejected' ? 'invalid_request' : null,
    always: false,
    escalation: null,
    forwardAgent: null,
    clientVersion: null,
    operator: null,
    completedTime: done ? new Date(timeMs + 1_000).toISOString() : null,
    completedMs: done ? timeMs + 1_000 : Number.NaN,
    status: done ? 'ok' : null,
    error: null,
    stages: done ? pipeline.map((_, s) => ({ exitCode: state === 'failed' && s === pipeline.length - 1 ? 1 : 0, stderrLen: 0, stderrTruncated: false })) : [],
    stdoutLen: done ? h % 2_000_000 : null,
    stdoutTruncated: done && h % 2_000_000 > 1_048_576,
    durationMs: done ? h % 90_000 : null,
    request: { file: '/var/log/sudo-proxy/audit.log', line: 2 * i + 1, offset: 410 * i, length: 400, seq: 2 * i + 1 },
    response: ran && done ? { file: '/var/log/sudo-proxy/audit.log', line: 2 * i + 2, offset: 410 * i + 400, length: 200, seq: 2 * i + 2 } : null,
    anomalies: [],
  };
}

export class SyntheticEngine implements AuditEngine {
  readonly files = ['/var/log/sudo-proxy/audit.log'];
  private readonly events = new EventEmitter();
  private readonly writers: WriterEvent[] = [];
  /** Only with `options.marks`: a chain check with a break every tenth mark. */
  chainStatus?: () => ChainStatus;

  /** `options.marks`: writer events (start, gap, stop) spread evenly over the log, as rows among the entries. */
  constructor(
    private readonly count: number,
    private readonly startMs = Date.now() - count * 2_000,
    options: { marks?: number } = {},
  ) {
    const marks = options.marks ?? 0;
    const kinds = ['start', 'dropped', 'stop'] as const;
    const breaks: ChainStatus['breaks'][number][] = [];
    for (let k = 0; k < marks; k++) {
      // The first twenty near the oldest entries (on screen after `g`), the rest spread out.
      const position = k < 20 ? Math.min(count, 3 * k + 1) : Math.floor(((k + 0.5) * count) / marks);
      const event = kinds[k % kinds.length];
      const location = { file: this.files[0], line: 2 * position + 1, offset: 410 * position, length: 90, seq: 2 * position + 1 };
      this.writers.push({ event, time: new Date(startMs + position * 2_000).toISOString(), pid: 4000 + k, dropped: event === 'dropped' ? 5 : 0, error: event === 'dropped' ? 'ENOSPC' : null, location, position });
      if (k % 10 === 5) breaks.push({ kind: 'modified', file: this.files[0], line: 2 * position + 3, message: 'modified', origin: '', entryKey: position + 1 });
    }
    if (marks > 0) {
      const status: ChainStatus = { state: 'broken', checked: 2 * count, total: 2 * count, unchained: 0, unchecked: 0, breaks, breakCount: breaks.length };
      this.chainStatus = () => status;
    }
  }

  size(): number {
    return this.count;
  }

  entry(position: number): Entry {
    return syntheticEntry(position, this.count, this.startMs);
  }

  query(filter: EntryFilter): Int32Array {
    const f = compileFilter(filter);
    const out = new Int32Array(this.count);
    let n = 0;
    for (let i = 0; i < this.count; i++) if (matchesFilter(this.entry(i), f)) out[n++] = i;
    return out.slice(0, n);
  }

  /** Stats over a sample: the header needs their shape, the benchmark measures keys. */
  stats(): EntryStats {
    const step = Math.max(1, Math.floor(this.count / 5_000));
    const sample: Entry[] = [];
    for (let i = 0; i < this.count; i += step) sample.push(this.entry(i));
    return { ...computeStats(sample.map(factsOf)), total: this.count };
  }

  malformedCount(): number {
    return 0;
  }

  malformed(): readonly MalformedLine[] {
    return [];
  }

  progress(): IndexProgress {
    return { bytesDone: 1, bytesTotal: 1, done: true };
  }

  on(event: string, listener: (...args: never[]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off(event: string, listener: (...args: never[]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  notices(): readonly EngineNotice[] {
    return [];
  }

  writerEvents(): readonly WriterEvent[] {
    return this.writers;
  }

  origins(): readonly string[] {
    return [];
  }

  duplicateLines(): number {
    return 0;
  }

  /** (The key is the position: entries never move.) */
  positionOf(key: number): number {
    return key >= 0 && key < this.count ? key : -1;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  indexed(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
