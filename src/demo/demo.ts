/**
 * A simulated sudo-proxy daemon: requests arrive, an "operator" decides after a realistic
 * delay, approved commands run for a while and complete. It uses the writer exactly as a real
 * daemon would. Time can be compressed (`speed`) so a demo is lively.
 */
import { type AuditLog, openAuditLog } from '../writer/audit-log.js';
import { createTraffic, requestTime } from './traffic.js';

export interface DemoOptions {
  auditLog?: string;
  /** Requests per second (wall clock). */
  rate: number;
  /** Stop after this many requests (and their completions); unlimited when absent. */
  count?: number;
  /** Time compression: 10 means a 60 s prompt timeout takes 6 s. */
  speed: number;
  seed?: number;
  /** The writer's seal interval (ms), for a log with a sealing state. */
  sealInterval?: number;
  warn?: (message: string) => void;
}

export interface DemoHandle {
  log: AuditLog;
  /** Resolves when `count` requests have completed, or after `stop()`. */
  done: Promise<void>;
  stop(): void;
}

export function runDemo(options: DemoOptions): DemoHandle {
  const log = openAuditLog({ path: options.auditLog, warn: options.warn, sealInterval: options.sealInterval });
  const next = createTraffic(options.seed ?? Date.now(), { detailed: true });
  /** The traffic model's clock: wall time since the start, times the compression. */
  const startedAt = Date.now();
  const timers = new Set<NodeJS.Timeout>();
  let started = 0;
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
      if (timers.size === 0 && (stopped || (options.count !== undefined && started >= options.count))) finish();
    }, Math.max(0, ms));
    timers.add(t);
  };
  const finish = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    log.close();
    resolveDone();
  };

  const arrive = () => {
    if (stopped) return;
    if (options.count !== undefined && started >= options.count) return;
    started++;
    const arrivedAt = Date.now();
    const scenario = next((arrivedAt - startedAt) * options.speed);
    if (scenario.policyAtArrival) log.policy(scenario.policyAtArrival);
    later(scenario.decideAfterMs / options.speed, () => {
      log.request({ ...scenario.request, time: requestTime(arrivedAt) });
      if (scenario.policyAfterDecision) log.policy(scenario.policyAfterDecision);
      const exec = scenario.execution;
      if (exec) later(exec.durationMs / options.speed, () => log.response({ ...exec.response, id: scenario.request.id }));
    });
    // Poisson arrivals: exponential gaps with mean 1/rate.
    if (options.count === undefined || started < options.count) later((-Math.log(1 - Math.random()) * 1000) / options.rate, arrive);
  };
  arrive();

  return {
    log,
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      finish();
    },
  };
}
