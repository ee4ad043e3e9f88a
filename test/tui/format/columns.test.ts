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

  describe('with an origin column (a collector directory)', () => {
    const fleet = (width: number, style: 'time' | 'date' | 'year' = 'time') => layoutColumns(width, style, { origin: true });
    const width = (l: ReturnType<typeof layoutColumns>, id: string) => l.columns.find((c) => c.id === id)?.width;

    it('is not there for files read directly', () => {
      for (const w of [40, 80, 160]) expect(hasColumn(layoutColumns(w, 'time'), 'origin')).toBe(false);
    });

    it('puts ORIGIN before HOST, as wide as the host column, and still fills the width exactly', () => {
      const l = fleet(160);
      expect(l.columns.map((c) => c.id)).toEqual(['time', 'origin', 'host', 'session', 'state', 'latency', 'command', 'exit', 'duration', 'out']);
      expect(width(l, 'origin')).toBe(width(l, 'host'));
      expect(width(fleet(100), 'origin')).toBe(width(fleet(100), 'host'));
      for (let w = 40; w <= 240; w++) {
        for (const style of ['time', 'date', 'year'] as const) expect(used(fleet(w, style)), `${w} ${style}`).toBe(w);
      }
    });

    it('at 80 takes the place of the request\'s host label, keeping exit codes and a usable command', () => {
      const l = fleet(80);
      expect(l.columns.map((c) => c.id)).toEqual(['time', 'origin', 'session', 'state', 'command', 'exit', 'duration']);
      expect(width(l, 'command')).toBeGreaterThanOrEqual(20);
    });

    it('keeps both origin and host label from 90 columns', () => {
      for (const w of [90, 100, 120]) {
        expect(hasColumn(fleet(w), 'origin'), String(w)).toBe(true);
        expect(hasColumn(fleet(w), 'host'), String(w)).toBe(true);
      }
    });

    it('keeps the origin longer than the session, and gives it up on a tiny terminal', () => {
      const l = fleet(64);
      expect(hasColumn(l, 'origin')).toBe(true);
      expect(hasColumn(l, 'session')).toBe(false);
      expect(fleet(40, 'year').columns.map((c) => c.id)).toEqual(['time', 'state', 'command']);
    });
  });
});
