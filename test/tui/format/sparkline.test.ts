import { describe, expect, it } from 'vitest';
import { sparkline, squeeze } from '../../../src/tui/format/sparkline.js';

describe('sparkline', () => {
  it('scales the last minutes to the highest, blank for a minute without requests', () => {
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe(' ▂▃▅█');
    expect(sparkline([3, 3], 2)).toBe('██');
  });

  it('shows the newest minutes and pads a short series on the left', () => {
    expect(sparkline([8, 0, 0, 8], 2)).toBe(' █');
    expect(sparkline([1], 4)).toBe('   █');
    expect(sparkline([], 3)).toBe('   ');
    expect(sparkline([1, 2], 0)).toBe('');
  });
});

describe('squeeze', () => {
  it('sums minutes into at most `width` bars, keeping the whole span', () => {
    expect(squeeze([1, 2, 3, 4, 5], 2)).toEqual({ counts: [6, 9], minutesPerBar: 3 });
    expect(squeeze([1, 2], 5)).toEqual({ counts: [1, 2], minutesPerBar: 1 });
    expect(squeeze(Array(600).fill(1), 60).counts).toEqual(Array(60).fill(10));
  });
});
