/**
 * How many scan workers a history pass starts, from the cores idle beside this process's own
 * thread: one idle core is enough for one worker (this thread scans too while it waits), so a
 * 2-core machine with nothing else running indexes on both cores (#17).
 */
import { describe, expect, it } from 'vitest';
import { scanWorkerCount, workersForIdle } from '../../src/engine/scan-worker-count.js';

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
