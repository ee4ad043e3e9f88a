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
 * Scan workers to start. With 'auto': one per idle core (measured from the open until the tail
 * is in, this process's own thread counting as busy), at most 4, and none unless at least two
 * cores are idle. Handing chunks to workers costs CPU of its own (copies, messages, first
 * touches of buffers); on the 2-core VMs this was measured on, one thread that scans as it
 * reads was faster (see the engine benchmark, --workers), so workers are kept for machines
 * with cores to spare.
 */
export function scanWorkerCount(setting: number | 'auto', since?: CpuSample): number {
  if (setting !== 'auto') return setting;
  const cores = os.availableParallelism();
  let idleCores: number;
  const now = sampleCpu();
  if (since && now.total - since.total > 0) idleCores = ((now.idle - since.idle) / (now.total - since.total)) * os.cpus().length;
  else idleCores = cores - 1 - os.loadavg()[0];
  const free = Math.round(idleCores);
  return free >= 2 ? Math.min(4, free) : 0;
}
