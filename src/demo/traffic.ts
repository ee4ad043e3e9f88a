/**
 * Realistic sudo-proxy traffic from a seeded random source: the demo daemon plays it in real
 * time, and the benchmark generator writes it at full speed. One distribution for both.
 */
import type { RequestInput, ResponseInput } from '../writer/record-input.js';

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
  /** Request arrival → decision written (prompt latency, or ~0 for policy and rejects). */
  decideAfterMs: number;
  /** Present when approved: decision → completion, and the response to write. */
  execution?: { durationMs: number; response: Omit<ResponseInput, 'id' | 'time'> };
}

export function createTraffic(seed = 1): () => Scenario {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  /** Log-normal around `median`, spread ×/÷ about e. */
  const around = (median: number) => {
    const u1 = Math.max(rand(), 1e-12);
    const gauss = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
    return median * Math.exp(gauss * 0.9);
  };

  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

  return () => {

    const cmd = pick(COMMANDS);
    // UUID v4 shape from the seeded source, so runs are reproducible.
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
    const host = pick(HOSTS);
    const session = pick(SESSIONS);
    const env = ENV_KEYS.filter(() => rand() < 0.5);
    const resolved = cmd.pipeline.map((stage) => RESOLVED[stage[0]] ?? null);
    const roll = rand();
    const base = { id, host, session, pipeline: cmd.pipeline, resolved, env, reason: cmd.reason, privileged: cmd.privileged };

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

