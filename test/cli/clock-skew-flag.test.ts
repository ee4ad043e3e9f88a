/** `view --clock-skew SECONDS`: the detail pane's threshold for a request's time far from the writer's. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/commands/errors.js';
import { clockSkewFlag } from '../../src/cli/commands/view.js';

describe('--clock-skew', () => {
  it('takes seconds, whole or not, as milliseconds', () => {
    expect(clockSkewFlag('60')).toBe(60_000);
    expect(clockSkewFlag('0.5')).toBe(500);
    expect(clockSkewFlag('0')).toBe(0);
  });

  it('refuses anything else as a usage error', () => {
    for (const bad of ['', '-1', 'abc', '1e3', '\u001b[2J']) expect(() => clockSkewFlag(bad)).toThrow(UsageError);
  });
});
