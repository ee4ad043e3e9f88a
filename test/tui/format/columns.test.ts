import { describe, expect, it } from 'vitest';
import { hasColumn, layoutColumns, MARKER_WIDTH } from '../../../src/tui/format/columns.js';

const used = (l: ReturnType<typeof layoutColumns>) => MARKER_WIDTH + l.columns.reduce((s, c) => s + c.width, 0) + l.columns.length - 1;

describe('layoutColumns', () => {
  it('fills exactly the width at every size', () => {
    for (let width = 40; width <= 240; width++) {
      for (const style of ['time', 'date', 'year'] as const) expect(used(layoutColumns(width, style)), `${width} ${style}`).toBe(width);
    }
  });

  it('shows every column at 160', () => {
    const l = layoutColumns(160, 'time');
    expect(l.columns.map((c) => c.id)).toEqual(['time', 'host', 'session', 'state', 'latency', 'command', 'exit', 'duration', 'out']);
    expect(l.columns.find((c) => c.id === 'command')?.width).toBeGreaterThan(70);
  });

  it('drops the least useful columns first at 80, keeping a usable command column', () => {
    const l = layoutColumns(80, 'time');
    expect(hasColumn(l, 'out')).toBe(false);
    expect(hasColumn(l, 'latency')).toBe(false);
    for (const id of ['time', 'host', 'session', 'state', 'command', 'exit', 'duration'] as const) expect(hasColumn(l, id)).toBe(true);
    expect(l.columns.find((c) => c.id === 'command')?.width).toBeGreaterThanOrEqual(20);
  });

  it('gives up exit codes before the command when dates make the time column wider', () => {
    const l = layoutColumns(80, 'date');
    expect(l.columns.find((c) => c.id === 'time')?.width).toBe(14);
    expect(hasColumn(l, 'exit')).toBe(false);
  });

  it('keeps time, state and command on a tiny terminal', () => {
    const l = layoutColumns(40, 'year');
    expect(l.columns.map((c) => c.id)).toEqual(['time', 'state', 'command']);
  });
});
