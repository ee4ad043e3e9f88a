/** Owns how many scan worker threads a history pass starts, from how busy the machine is. */
import os from 'node:os';

/** Idle and total CPU time over all cores so far (os.cpus), to see how busy the machine is. */
export interface CpuSample {
  idle: number;
  total: number;
}

export function sampleCpu(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/**
 * Scan workers to start. With 'auto': one per core left idle by other processes (measured from
 * the open until the tail is in, beside this process's main thread), at most 4. One idle core is
 * enough: while the chunk it consumes next is still out at a worker, this thread scans a chunk
 * itself (parallel-scan.ts), so a quiet 2-core machine indexes on both cores. A busy one (no core
 * idle beside this thread) reads on this thread alone: handing chunks to workers costs CPU of its
 * own. This process's other threads count as idle (#17: V8 compiling the command's code beside
 * the tail's read took 65 of the second core's 115 ms, and a quiet machine read on one core in
 * every run).
 */
export function scanWorkerCount(setting: number | 'auto', since?: ProcessCpuSample): number {
  if (setting !== 'auto') return setting;
  return workersForIdle(since ? idleCoresBesideThisProcess(since) : idleByLoadAverage());
}

/** Cores idle beside this thread by the load average, when no CPU time has passed to measure. */
function idleByLoadAverage(): number {
  return os.availableParallelism() - 1 - os.loadavg()[0];
}

/** Workers for this many idle cores beside this thread: one per core (rounded), at most 4. */
export function workersForIdle(idleCores: number): number {
  const free = Math.round(idleCores);
  return free >= 1 ? Math.min(4, free) : 0;
}

/** The machine's CPU time (sampleCpu) and this process's own, all its threads (µs), at one moment. */
export interface ProcessCpuSample extends CpuSample {
  own: number;
}

export function sampleProcessCpu(): ProcessCpuSample {
  const { user, system } = process.cpuUsage();
  return { ...sampleCpu(), own: user + system };
}

/**
 * Cores left idle since `since` by other processes, beside this process's main thread: what
 * this process's own threads used (its scan workers while it indexed) counts as idle, for a
 * second thread of its own to take now that they are done.
 */
export function idleCoresBesideThisProcess(since: ProcessCpuSample): number {
  const now = sampleProcessCpu();
  const cores = os.cpus().length;
  const total = now.total - since.total;
  if (total <= 0) return idleByLoadAverage();
  // (os.cpus counts milliseconds per core; the busy time of others: all busy time but this process's.)
  const busy = total - (now.idle - since.idle);
  const others = Math.max(0, busy - (now.own - since.own) / 1000);
  return cores - 1 - (others / total) * cores;
}
