/**
 * Realistic sudo-proxy traffic from a seeded random source: the demo daemon plays it in real
 * time, and the benchmark generator writes it at full speed. One distribution for both.
 */
import type { PolicyInput, RequestInput, ResponseInput } from '../writer/record-input.js';
import type { Escalation, RejectKind } from '../shared/format-constants.js';

/** mulberry32: small, fast, deterministic for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Command {
  pipeline: string[][];
  reason: string;
  privileged: boolean;
  /** Typical duration in ms (log-normal around it). */
  ms: number;
  /** Typical stdout bytes. */
  out: number;
  /** Chance that the command exits non-zero. */
  fails: number;
  failCode?: number;
}

const COMMANDS: Command[] = [
  { pipeline: [['apt-get', 'install', '-y', 'nginx']], reason: 'install nginx for the staging reverse proxy', privileged: true, ms: 25_000, out: 40_000, fails: 0.05, failCode: 100 },
  { pipeline: [['apt-get', 'update']], reason: 'refresh package lists before upgrading', privileged: true, ms: 8_000, out: 6_000, fails: 0.03, failCode: 100 },
  { pipeline: [['systemctl', 'restart', 'nginx']], reason: 'apply the new vhost config', privileged: true, ms: 900, out: 0, fails: 0.08, failCode: 1 },
  { pipeline: [['systemctl', 'status', 'postgresql']], reason: 'check why the app cannot reach the database', privileged: false, ms: 120, out: 1_800, fails: 0.1, failCode: 3 },
  { pipeline: [['journalctl', '-u', 'ssh'], ['tail', '-50']], reason: 'look for failed ssh logins', privileged: true, ms: 400, out: 7_000, fails: 0.01 },
  { pipeline: [['tail', '-n', '200', '/var/log/nginx/error.log']], reason: 'read recent nginx errors', privileged: true, ms: 30, out: 18_000, fails: 0.02, failCode: 1 },
  { pipeline: [['dmesg'], ['grep', '-i', 'oom']], reason: 'did the kernel kill the worker?', privileged: true, ms: 60, out: 900, fails: 0.3, failCode: 1 },
  { pipeline: [['rm', '-rf', '/var/cache/app/tmp']], reason: 'clear the stale build cache', privileged: true, ms: 1_500, out: 0, fails: 0.04, failCode: 1 },
  { pipeline: [['chown', '-R', 'www-data:www-data', '/srv/www']], reason: 'fix ownership after deploy', privileged: true, ms: 2_000, out: 0, fails: 0.03, failCode: 1 },
  { pipeline: [['docker', 'ps', '-a']], reason: 'list containers', privileged: true, ms: 300, out: 3_000, fails: 0.02, failCode: 1 },
  { pipeline: [['ss', '-tlnp']], reason: 'which process holds port 443?', privileged: true, ms: 50, out: 2_500, fails: 0.01 },
  { pipeline: [['cat', '/etc/shadow']], reason: 'verify the service account has no password', privileged: true, ms: 10, out: 1_400, fails: 0 },
  { pipeline: [['ls', '-la', '/root']], reason: 'look for the deploy key', privileged: true, ms: 10, out: 1_100, fails: 0 },
  { pipeline: [['find', '/var/log', '-name', '*.gz', '-mtime', '+30'], ['xargs', 'rm', '-f']], reason: 'free disk space: old rotated logs', privileged: true, ms: 5_000, out: 0, fails: 0.05, failCode: 123 },
  { pipeline: [['du', '-sh', '/var/lib/docker']], reason: 'disk almost full, find the culprit', privileged: true, ms: 45_000, out: 60, fails: 0.02, failCode: 1 },
  { pipeline: [['iptables', '-L', '-n', '-v']], reason: 'check firewall counters', privileged: true, ms: 80, out: 9_000, fails: 0.01 },
  { pipeline: [['tcpdump', '-i', 'eth0', '-c', '1000', 'port', '53']], reason: 'capture DNS traffic for the resolver bug', privileged: true, ms: 90_000, out: 2_000_000, fails: 0.05, failCode: 1 },
  { pipeline: [['uptime']], reason: 'load check', privileged: false, ms: 5, out: 70, fails: 0 },
  { pipeline: [['df', '-h']], reason: 'disk usage', privileged: false, ms: 8, out: 800, fails: 0 },
  { pipeline: [['ps', 'aux'], ['sort', '-nrk', '3'], ['head', '-20']], reason: 'top CPU consumers', privileged: false, ms: 70, out: 3_200, fails: 0 },
  { pipeline: [['kill', '-9', '31337']], reason: 'stop the runaway worker', privileged: true, ms: 5, out: 0, fails: 0.2, failCode: 1 },
  { pipeline: [['reboot']], reason: 'kernel update needs a reboot', privileged: true, ms: 200, out: 0, fails: 0 },
  { pipeline: [['curl', '-fsS', 'http://127.0.0.1:8080/healthz']], reason: 'is the app healthy after restart?', privileged: false, ms: 150, out: 20, fails: 0.15, failCode: 22 },
];

const HOSTS = ['', 'web-01', 'web-02', 'db-primary', 'build-03'];
const SESSIONS = ['claude-7f3c', 'codex-91ab', 'ssh:alice', 'ssh:bob', 'ci-runner-12', 'aider-04d2'];
const ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TERM', 'DEBIAN_FRONTEND', 'SYSTEMD_PAGER', 'LC_ALL', 'NO_COLOR'];
const RESOLVED: Record<string, string> = {
  'apt-get': '/usr/bin/apt-get', systemctl: '/usr/bin/systemctl', journalctl: '/usr/bin/journalctl', tail: '/usr/bin/tail',
  dmesg: '/usr/bin/dmesg', grep: '/usr/bin/grep', rm: '/usr/bin/rm', chown: '/usr/bin/chown', docker: '/usr/bin/docker',
  ss: '/usr/bin/ss', cat: '/usr/bin/cat', ls: '/usr/bin/ls', find: '/usr/bin/find', xargs: '/usr/bin/xargs', du: '/usr/bin/du',
  iptables: '/usr/sbin/iptables', tcpdump: '/usr/bin/tcpdump', uptime: '/usr/bin/uptime', df: '/usr/bin/df', ps: '/usr/bin/ps',
  sort: '/usr/bin/sort', head: '/usr/bin/head', kill: '/usr/bin/kill', reboot: '/usr/sbin/reboot', curl: '/usr/bin/curl',
};

/** sudo-proxy's prompt gives up after 60 s. */
export const PROMPT_TIMEOUT_MS = 60_000;
/** sudo-proxy caps captured output at 1 MiB per stream. */
const OUTPUT_CAP = 1024 * 1024;

/** One request as it happens: what arrives, how long the decision takes, what running it returns. */
export interface Scenario {
  request: Omit<RequestInput, 'time'>;
  /** A policy change the daemon makes as the request arrives (a configuration reload), written first. */
  policyAtArrival?: PolicyInput;
  /** A policy change the decision makes (ApprovedAlways), written right after the request. */
  policyAfterDecision?: PolicyInput;
  /** Request arrival → decision written (prompt latency, or ~0 for policy and rejects). */
  decideAfterMs: number;
  /** Present when approved: decision → completion, and the response to write. */
  execution?: { durationMs: number; response: Omit<ResponseInput, 'id' | 'time'> };
}

/** The host whose daemon runs with `--pkexec`: privileged requests are decided in pkexec's own dialog. */
const PKEXEC_HOST = 'build-03';
const CLIENT_VERSIONS = ['0.4.1', '0.4.1', '0.4.0', '0.3.2'];

/** The daemon's refusals before any prompt (and a failed prompt), with the message it gives; replays weigh most. */
const REFUSALS: { reject: RejectKind; weight: number; error: (id: string) => string; privileged?: boolean; forwardAgent?: boolean }[] = [
  { reject: 'replay', weight: 5, error: (id) => `duplicate request id: ${id}` },
  { reject: 'stale_time', weight: 2, error: () => 'request too old: 97s (max 60s)' },
  { reject: 'env_not_allowed', weight: 2, error: () => 'environment variable LD_PRELOAD is not allowed' },
  { reject: 'invalid_request', weight: 2, error: () => 'pipeline[0][1] contains forbidden control/bidi characters' },
  { reject: 'forward_agent_privileged', weight: 1, error: () => 'forward_agent is only allowed for unprivileged commands', privileged: true, forwardAgent: true },
  { reject: 'invalid_json', weight: 1, error: () => 'invalid JSON: EOF while parsing an object at line 1 column 57' },
  { reject: 'busy', weight: 1, error: () => 'server busy: too many in-flight requests' },
  { reject: 'peer_uid', weight: 1, error: () => 'connection from uid 1001, expected 1000' },
  { reject: 'prompt_error', weight: 1, error: () => 'prompt error: Input/output error (os error 5)' },
];
const REFUSAL_WEIGHT = REFUSALS.reduce((sum, r) => sum + r.weight, 0);

const escalationOf = (privileged: boolean, host: string | undefined): Escalation => (!privileged ? 'none' : host === PKEXEC_HOST ? 'pkexec' : 'sudo');

/** A request before the daemon decides it. */
type Undecided = Omit<Scenario['request'], 'decision'>;

export interface TrafficOptions {
  /**
   * Also what issue #15 added, as a live sudo-proxy decides it: escalation (sudo, pkexec on
   * PKEXEC_HOST, none), the client's version, forward_agent, a reject kind on each refusal (replays
   * reuse a recent id), and confirm_unprivileged: on at first, switched off by an ApprovedAlways
   * (a `policy` record) and on again now and then by a configuration reload. Off by default, so
   * that generated logs (benchmarks, fixtures) keep their exact content.
   */
  detailed?: boolean;
}

/**
 * The next scenario. `atMs`: the model's clock at its arrival (only the detailed model uses it:
 * an ApprovedAlways takes effect when it is decided, not when it arrives).
 */
export type NextScenario = (atMs?: number) => Scenario;

export function createTraffic(seed = 1, options: TrafficOptions = {}): NextScenario {
  const rand = seededRandom(seed);
  // The detailed model draws from its own source: the plain model's sequence is unchanged.
  const extra = seededRandom(seed ^ 0x15_15_15);
  const detailed = options.detailed === true;
  let confirmUnprivileged = true;
  /** When an ApprovedAlways decided so far switches confirm_unprivileged off (model ms). */
  let alwaysAt = Number.POSITIVE_INFINITY;
  const recentIds: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  /** Log-normal around `median`, spread ×/÷ about e. */
  const around = (median: number) => {
    const u1 = Math.max(rand(), 1e-12);
    const gauss = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
    return median * Math.exp(gauss * 0.9);
  };

  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

  /** A refusal of the detailed model, with its reject kind (a replay takes a recent id). */
  const refusal = (base: Undecided): Scenario => {
    let r = extra() * REFUSAL_WEIGHT;
    const kind = REFUSALS.find((k) => (r -= k.weight) < 0) ?? REFUSALS[0];
    const id = kind.reject === 'replay' && recentIds.length > 0 ? recentIds[Math.floor(extra() * recentIds.length)] : base.id;
    const reject = kind.reject === 'replay' && id === base.id ? 'stale_time' : kind.reject;
    const request = {
      ...base,
      id,
      privileged: kind.privileged ?? base.privileged,
      escalation: kind.privileged ? escalationOf(true, base.host) : base.escalation,
      forwardAgent: kind.forwardAgent ?? base.forwardAgent,
      decision: 'rejected' as const,
      via: 'policy' as const,
      latencyMs: null,
      reject,
      error: reject === kind.reject ? kind.error(id) : 'request too old: 97s (max 60s)',
    };
    // A prompt that failed was shown first: the operator's, after a moment.
    if (reject === 'prompt_error') return { request: { ...request, via: 'operator', latencyMs: 12 }, decideAfterMs: 12 };
    return { request, decideAfterMs: 2 };
  };

  return (atMs = 0) => {
    if (detailed && atMs >= alwaysAt) {
      confirmUnprivileged = false;
      alwaysAt = Number.POSITIVE_INFINITY;
    }
    const cmd = pick(COMMANDS);
    // UUID v4 shape from the seeded source, so runs are reproducible.
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
    const host = pick(HOSTS);
    const session = pick(SESSIONS);
    const env = ENV_KEYS.filter(() => rand() < 0.5);
    const resolved = cmd.pipeline.map((stage) => RESOLVED[stage[0]] ?? null);
    const roll = rand();
    const base = { id, host, session, pipeline: cmd.pipeline, resolved, env, reason: cmd.reason, privileged: cmd.privileged };
    if (detailed) return detail(cmd, base, roll, atMs);

    if (roll < 0.03) {
      const error = pick(['command not in the allow-list', 'argv[0] could not be resolved', 'request exceeds 64 KiB', 'session not authenticated']);
      return { request: { ...base, decision: 'rejected', via: 'policy', latencyMs: null, error }, decideAfterMs: 2 };
    }
    if (!cmd.privileged && roll < 0.6) {
      // The prompt gate is off for unprivileged commands: approved by policy, no prompt.
      return { request: { ...base, decision: 'approved', via: 'policy', latencyMs: null }, decideAfterMs: 1, execution: execute(cmd) };
    }
    // A person reads the prompt before answering: never faster than ~0.7 s.
    const latency = Math.min(Math.max(around(4_000), 700), PROMPT_TIMEOUT_MS);
    if (roll < 0.09 || latency >= PROMPT_TIMEOUT_MS) {
      return { request: { ...base, decision: 'timeout', via: 'operator', latencyMs: PROMPT_TIMEOUT_MS }, decideAfterMs: PROMPT_TIMEOUT_MS };
    }
    const risky = /rm|kill|reboot|shadow|root/.test(cmd.pipeline.flat().join(' '));
    if (roll < (risky ? 0.4 : 0.17)) {
      return { request: { ...base, decision: 'denied', via: 'operator', latencyMs: Math.round(latency) }, decideAfterMs: latency };
    }
    return { request: { ...base, decision: 'approved', via: 'operator', latencyMs: Math.round(latency) }, decideAfterMs: latency, execution: execute(cmd) };
  };

  /** The detailed model: the plain one's choices, with what a live sudo-proxy also says. */
  function detail(cmd: Command, plain: Undecided, roll: number, atMs: number): Scenario {
    const base: Undecided = {
      ...plain,
      escalation: escalationOf(cmd.privileged, plain.host),
      clientVersion: CLIENT_VERSIONS[plain.session.length % CLIENT_VERSIONS.length],
      forwardAgent: !cmd.privileged && extra() < 0.25,
    };
    // A configuration reload now and then turns the prompt for unprivileged commands back on.
    const reload = !confirmUnprivileged && extra() < 0.04;
    const policyAtArrival: PolicyInput | undefined = reload ? { setting: 'confirm_unprivileged', old: false, new: true, requestId: null, by: 'config' } : undefined;
    if (reload) confirmUnprivileged = true;
    const scenario = decide(cmd, base, roll, atMs);
    // The daemon remembers an id once the request passed its checks (a replay's is already there).
    const reject = scenario.request.reject;
    if (reject === undefined || reject === 'prompt_error') {
      recentIds.push(plain.id);
      if (recentIds.length > 16) recentIds.shift();
    }
    return policyAtArrival ? { ...scenario, policyAtArrival } : scenario;
  }

  function decide(cmd: Command, base: Undecided, roll: number, atMs: number): Scenario {
    if (roll < 0.06) return refusal(base);
    if (!cmd.privileged && !confirmUnprivileged) {
      return { request: { ...base, decision: 'approved', via: 'policy', latencyMs: null }, decideAfterMs: 1, execution: execute(cmd) };
    }
    const latency = Math.min(Math.max(around(4_000), 700), PROMPT_TIMEOUT_MS);
    const via = base.escalation === 'pkexec' ? 'pkexec' : 'operator';
    if (roll < 0.09 || latency >= PROMPT_TIMEOUT_MS) {
      // pkexec's dialog has no timeout of the daemon's: a dismissed dialog is a denial.
      if (via === 'pkexec') return { request: { ...base, decision: 'denied', via, latencyMs: Math.round(latency) }, decideAfterMs: latency };
      return { request: { ...base, decision: 'timeout', via, latencyMs: PROMPT_TIMEOUT_MS }, decideAfterMs: PROMPT_TIMEOUT_MS };
    }
    const risky = /rm|kill|reboot|shadow|root/.test(cmd.pipeline.flat().join(' '));
    if (roll < (risky ? 0.4 : 0.17)) return { request: { ...base, decision: 'denied', via, latencyMs: Math.round(latency) }, decideAfterMs: latency };
    const approved: Scenario = { request: { ...base, decision: 'approved', via, latencyMs: Math.round(latency) }, decideAfterMs: latency, execution: execute(cmd) };
    // `a` at an unprivileged prompt (ApprovedAlways): confirm_unprivileged off from the decision on.
    if (cmd.privileged || alwaysAt !== Number.POSITIVE_INFINITY || extra() >= 0.12) return approved;
    alwaysAt = atMs + latency;
    return {
      ...approved,
      request: { ...approved.request, always: true },
      policyAfterDecision: { setting: 'confirm_unprivileged', old: true, new: false, requestId: base.id, by: 'keypress' },
    };
  }

  function execute(cmd: Command): NonNullable<Scenario['execution']> {
    const r = rand();
    if (r < 0.015) {
      return { durationMs: 3, response: { status: 'error', error: `spawn ${cmd.pipeline[0][0]}: No such file or directory (os error 2)`, stages: [], stdout: 0, durationMs: 3 } };
    }
    if (r < 0.025) {
      // Killed at the execution timeout: every stage reports 137.
      const durationMs = 300_000;
      return { durationMs, response: { status: 'error', error: 'execution timed out after 300s', stages: cmd.pipeline.map(() => ({ exitCode: 137, stderr: 0 })), stdout: Math.round(around(cmd.out)), durationMs } };
    }
    const durationMs = Math.round(around(cmd.ms));
    const failing = rand() < cmd.fails;
    const signalled = rand() < 0.01;
    const stages = cmd.pipeline.map((_, i) => {
      const last = i === cmd.pipeline.length - 1;
      const stderrLen = failing && last ? Math.round(around(300)) : rand() < 0.1 ? Math.round(around(80)) : 0;
      const exitCode = signalled && i === 0 ? -1 : failing && last ? (cmd.failCode ?? 1) : 0;
      return { exitCode, stderr: Math.min(stderrLen, OUTPUT_CAP), stderrTruncated: stderrLen > OUTPUT_CAP };
    });
    const out = failing ? 0 : Math.round(around(cmd.out || 1)) * (cmd.out === 0 ? 0 : 1);
    return {
      durationMs,
      response: { status: 'ok', error: null, stages, stdout: Math.min(out, OUTPUT_CAP), stdoutTruncated: out > OUTPUT_CAP, durationMs },
    };
  }
}

/** sudo-proxy's request time format: whole seconds, `Z`. */
export function requestTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

