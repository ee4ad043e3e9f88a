import { describe, expect, it } from 'vitest';
import { describeFilter, isFiltering, NO_FILTER, STATE_PRESETS, entryFilterFromFilterState } from '../../../src/tui/store/filters.js';

describe('viewer filters', () => {
  it('cycles all, then the problem states, then single states, then security events', () => {
    expect(STATE_PRESETS.map((p) => p.label)).toEqual(['all', 'denied+timeout', 'failed', 'running', 'rejected', 'ok', 'problems', 'security']);
    const security = STATE_PRESETS.findIndex((p) => p.label === 'security');
    expect(entryFilterFromFilterState({ ...NO_FILTER, preset: security })).toEqual({ security: true });
    expect(describeFilter({ ...NO_FILTER, preset: security })).toEqual(['security']);
  });

  it('turns into the engine filter shared with the CLI', () => {
    expect(entryFilterFromFilterState(NO_FILTER)).toEqual({});
    expect(isFiltering(NO_FILTER)).toBe(false);
    const f = { preset: 1, host: '', origin: null, session: 'ssh:bob', time: { label: '2h', sinceMs: 5 } };
    expect(entryFilterFromFilterState(f)).toEqual({ states: ['denied', 'timeout'], hosts: [''], sessions: ['ssh:bob'], sinceMs: 5 });
    expect(isFiltering(f)).toBe(true);
  });

  it('puts the keys over the command line flags, each replacing its kind', () => {
    const flags = { filter: { states: ['denied' as const], failedOnly: true, hosts: ['a', 'b'], sinceMs: 1, untilMs: 9, text: 'rm' }, label: '--state denied --host a --host b' };
    const f = { ...NO_FILTER, flags };
    expect(isFiltering(f)).toBe(true);
    expect(entryFilterFromFilterState(f)).toEqual(flags.filter);
    expect(entryFilterFromFilterState({ ...f, preset: 2, host: 'c', time: { label: '2h', sinceMs: 5 } })).toEqual({ states: ['failed'], hosts: ['c'], sinceMs: 5, text: 'rm' });
    expect(describeFilter({ ...f, flags: { ...flags, label: '--grep \u001b[2J' }, host: 'c' })).toEqual(['--grep \\e[2J', 'host c']);
  });

  it('u: by operator (user name or uid), over the --operator flag, named and escaped in the header', () => {
    const f = { ...NO_FILTER, operator: 'alice' };
    expect(isFiltering(f)).toBe(true);
    expect(entryFilterFromFilterState(f)).toEqual({ operators: ['alice'] });
    const flags = { filter: { operators: ['bob'], text: 'rm' }, label: '--operator bob --grep rm' };
    expect(entryFilterFromFilterState({ ...f, flags })).toEqual({ operators: ['alice'], text: 'rm' });
    expect(describeFilter({ ...NO_FILTER, operator: 'x\u001b[2J' })).toEqual(['operator x\\e[2J']);
  });

  it('describes itself for the header, escaped', () => {
    expect(describeFilter({ preset: 2, host: '', origin: null, session: 'x\u001b[2J', time: { label: '2h', sinceMs: 1 } })).toEqual([
      'failed',
      'host (local)',
      'session x\\e[2J',
      'time 2h',
    ]);
  });

  it('filters by origin, the collected host, through EntryFilter.origins, described escaped', () => {
    const f = { ...NO_FILTER, origin: 'db-1' };
    expect(isFiltering(f)).toBe(true);
    expect(entryFilterFromFilterState(f)).toEqual({ origins: ['db-1'] });
    expect(describeFilter(f)).toEqual(['origin db-1']);
    expect(describeFilter({ ...NO_FILTER, origin: '\u001b]0;pwned\u0007', host: 'web-01' })).toEqual(['origin \\e]0;pwned\\x07', 'host web-01']);
  });
});
