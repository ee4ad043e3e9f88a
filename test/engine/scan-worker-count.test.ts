/**
 * How many scan workers a history pass starts, from the cores idle beside this process's own
 * thread: one idle core is enough for one worker (this thread scans too while it waits), so a
 * 2-core machine with nothing else running indexes on both cores (#17).
 */
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { idleCoresBesideThisProcess, sampleProcessCpu, scanWorkerCount, workersForIdle } from '../../src/engine/scan-worker-count.js';

describe('scanWorkerCount', () => {
  it('starts one worker per idle core beside this thread, up to 4, none on a busy machine', () => {
    expect(workersForIdle(1)).toBe(1); // a quiet 2-core machine: the second core
    expect(workersForIdle(0.9)).toBe(1);
    expect(workersForIdle(0.4)).toBe(0);
    expect(workersForIdle(0)).toBe(0);
    expect(workersForIdle(-3)).toBe(0); // load over the cores
    expect(workersForIdle(2.2)).toBe(2);
    expect(workersForIdle(15)).toBe(4);
  });

  it('takes a number as it is', () => {
    expect(scanWorkerCount(0)).toBe(0);
    expect(scanWorkerCount(3)).toBe(3);
  });
});

describe('idleCoresBesideThisProcess', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Two cores' times (ms) after `busy` ms of busy time each, and this process's CPU (ms, all its threads). */
  function machine(busy: [number, number], own: number, wall: number): void {
    vi.spyOn(os, 'cpus').mockReturnValue(busy.map((b) => ({ model: 'x', speed: 1, times: { user: b, nice: 0, sys: 0, idle: wall - b, irq: 0 } })));
    vi.spyOn(process, 'cpuUsage').mockReturnValue({ user: own * 1000, system: 0 });
  }

  it('counts this process\'s own threads as idle: its index kept both cores busy, nothing else ran', () => {
    machine([0, 0], 0, 0);
    const since = sampleProcessCpu();
    // 1 s: both cores busy, all of it this process (its main thread and a scan worker).
    machine([1000, 1000], 2000, 1000);
    expect(idleCoresBesideThisProcess(since)).toBeCloseTo(1);
    expect(workersForIdle(idleCoresBesideThisProcess(since))).toBe(1);
  });

  it('leaves none when another process kept a core busy', () => {
    machine([0, 0], 0, 0);
    const since = sampleProcessCpu();
    // This process used one core; another process the other.
    machine([1000, 1000], 1000, 1000);
    expect(idleCoresBesideThisProcess(since)).toBeCloseTo(0);
    expect(workersForIdle(idleCoresBesideThisProcess(since))).toBe(0);
    // Another process on half a core: half a core idle beside this one, rounded up to one.
    machine([1000, 500], 1000, 1000);
    expect(idleCoresBesideThisProcess(since)).toBeCloseTo(0.5);
  });

  it('gives a history a scan worker when only this process kept the second core busy while its tail was read', () => {
    machine([0, 0], 0, 0);
    const since = sampleProcessCpu();
    // 120 ms: this thread read the tail while V8 compiled beside it on the other core, 70 ms of it.
    machine([120, 70], 190, 120);
    expect(scanWorkerCount('auto', since)).toBe(1);
    // The same 70 ms used by another process: that core is busier than idle.
    machine([120, 70], 120, 120);
    expect(scanWorkerCount('auto', since)).toBe(0);
  });
});
