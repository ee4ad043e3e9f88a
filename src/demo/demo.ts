/**
 * A simulated sudo-proxy daemon: requests arrive, an "operator" decides after a realistic
 * delay, approved commands run for a while and complete. It uses the writer exactly as a real
 * daemon would. Time can be compressed (`speed`) so a demo is lively. A new log can start with
 * the past minute's traffic (`history`), so that a viewer opened on it has rows at once.
 */
import fs from 'node:fs';
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
  /**
   * Past traffic (ms) a new or empty log starts with: the same model played up to now on a
   * synthetic clock, written before `runDemo` returns, in the same writer and chain; what is
   * still due (decisions, completions) then happens live. None in a log that holds records:
   * its times would go back.
   */
  history?: number;
}

export interface DemoHandle {
  log: AuditLog;
  /** Resolves when `count` requests have completed, or after `stop()`. */
  done: Promise<void>;
  stop(): void;
}

export function runDemo(options: DemoOptions): DemoHandle {
  const history = options.history !== undefined && options.history > 0 && isEmpty(options.auditLog) ? options.history : 0;
  /** The synthetic clock while the history is written; the wall clock after. */
  let past: number | undefined = history > 0 ? Date.now() - history : undefined;
  const clock = () => past ?? Date.now();
  const log = openAuditLog({ path: options.auditLog, warn: options.warn, sealInterval: options.sealInterval, now: clock });
  const next = createTraffic(options.seed ?? Date.now(), { detailed: true });
  /** The traffic model's clock: time since the start, times the compression. */
  const startedAt = clock();
  const timers = new Set<NodeJS.Timeout>();
  /** What the history has scheduled, by due time (synthetic): played in order, the rest handed to timers. */
  const due: Array<{ at: number; fn: () => void }> = [];
  let started = 0;
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const finishIfDone = () => {
    if (timers.size === 0 && (stopped || (options.count !== undefined && started >= options.count))) finish();
  };
  const later = (ms: number, fn: () => void) => {
    if (past !== undefined) {
      const at = past + Math.max(0, ms);
      const i = due.findIndex((d) => d.at > at);
      due.splice(i === -1 ? due.length : i, 0, { at, fn });
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
      finishIfDone();
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
    const arrivedAt = clock();
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
  if (past !== undefined) {
    const now = Date.now();
    while (due.length > 0 && due[0].at <= now) {
      const d = due.shift() as (typeof due)[number];
      past = d.at;
      d.fn();
    }
    past = undefined;
    for (const d of due.splice(0)) later(d.at - now, d.fn);
    finishIfDone();
  }

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

/** True when `file` is missing or empty (a log that would start with the writer's start record). */
function isEmpty(file: string | undefined): boolean {
  if (file === undefined) return false;
  try {
    return (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) === 0;
  } catch {
    return false;
  }
}
