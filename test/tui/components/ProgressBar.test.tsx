import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../src/tui/components/ProgressBar.js';
import { createTheme } from '../../../src/tui/theme.js';
import { renderComponent } from '../render.js';

describe('ProgressBar', () => {
  it('fills in proportion to the bytes indexed, across the width', async () => {
    const progress = { bytesDone: 205 * 1_048_576, bytesTotal: 410 * 1_048_576, done: false };
    for (const width of [80, 160]) {
      const { frame } = await renderComponent(<ProgressBar progress={progress} width={width} theme={createTheme(true)} />, width);
      expect(frame).toMatch(/^indexing history █+░+ 50% {2}205M of 410M$/);
      expect(stringWidth(frame)).toBe(width);
      const filled = frame.split('█').length - 1;
      const empty = frame.split('░').length - 1;
      expect(Math.abs(filled - empty)).toBeLessThanOrEqual(1);
    }
  });
});
