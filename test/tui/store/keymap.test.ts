import { describe, expect, it } from 'vitest';
import { type KeyInfo, keyToAction, NO_KEY, splitKeys } from '../../../src/tui/store/keymap.js';
import { initialState } from '../../../src/tui/store/state.js';

const none: KeyInfo = NO_KEY;
const main = initialState({ size: { columns: 80, rows: 24 }, live: true, now: 0 });
const inPrompt = { ...main, prompt: { kind: 'search' as const, value: '', completion: -1, typed: '', hint: '' } };
const command = (input: string, key: Partial<KeyInfo> = {}) => {
  const a = keyToAction(main, input, { ...none, ...key }, 0);
  return a?.type === 'command' ? a.command : a;
};

describe('main keys', () => {
  it.each([
    ['j', 'down'],
    ['k', 'up'],
    [' ', 'pageDown'],
    ['b', 'pageUp'],
    ['g', 'top'],
    ['G', 'bottom'],
    ['F', 'bottom'],
    ['/', 'search'],
    ['n', 'searchNext'],
    ['N', 'searchPrev'],
    ['f', 'cycleState'],
    ['h', 'promptHost'],
    ['o', 'promptOrigin'],
    ['s', 'promptSession'],
    ['t', 'promptTime'],
    ['u', 'promptOperator'],
    ['c', 'clearFilters'],
    ['m', 'integrity'],
    ['W', 'toggleWriter'],
    ['w', 'export'],
    ['y', 'copyId'],
    ['Y', 'copyCommand'],
    ['?', 'help'],
    ['q', 'quit'],
    ['[', 'prevEntry'],
    [']', 'nextEntry'],
  ])('%s → %s', (input, expected) => {
    expect(command(input)).toBe(expected);
  });

  it.each([
    [{ downArrow: true }, 'down'],
    [{ upArrow: true }, 'up'],
    [{ pageDown: true }, 'pageDown'],
    [{ pageUp: true }, 'pageUp'],
    [{ home: true }, 'top'],
    [{ end: true }, 'bottom'],
    [{ return: true }, 'open'],
    [{ escape: true, meta: true }, 'back'],
  ])('%o → %s', (key, expected) => {
    expect(command('', key)).toBe(expected);
  });

  it('reads Ctrl-C as quit, Ctrl-D/U as half pages, Ctrl-F/B as pages', () => {
    expect(command('c', { ctrl: true })).toBe('interrupt');
    expect(command('z', { ctrl: true })).toBe('suspend');
    expect(command('d', { ctrl: true })).toBe('halfDown');
    expect(command('u', { ctrl: true })).toBe('halfUp');
    expect(command('f', { ctrl: true })).toBe('pageDown');
    expect(command('b', { ctrl: true })).toBe('pageUp');
  });

  it('ignores keys it does not know', () => {
    expect(command('x')).toBeNull();
    expect(command('x', { ctrl: true })).toBeNull();
    expect(command('j', { meta: true })).toBeNull();
  });
});

describe('prompt keys', () => {
  const action = (input: string, key: Partial<KeyInfo> = {}) => keyToAction(inPrompt, input, { ...none, ...key }, 42);

  it('types letters that are keys elsewhere', () => {
    expect(action('q')).toEqual({ type: 'promptEdit', edit: { kind: 'insert', text: 'q' } });
    expect(action('G')).toEqual({ type: 'promptEdit', edit: { kind: 'insert', text: 'G' } });
  });

  it('submits, cancels, completes and edits', () => {
    expect(action('', { return: true })).toEqual({ type: 'promptSubmit', now: 42 });
    expect(action('', { escape: true })).toEqual({ type: 'promptCancel' });
    expect(action('', { tab: true })).toEqual({ type: 'promptComplete' });
    expect(action('', { delete: true })).toEqual({ type: 'promptEdit', edit: { kind: 'backspace' } });
    expect(action('', { backspace: true })).toEqual({ type: 'promptEdit', edit: { kind: 'backspace' } });
    expect(action('u', { ctrl: true })).toEqual({ type: 'promptEdit', edit: { kind: 'clear' } });
    expect(action('w', { ctrl: true })).toEqual({ type: 'promptEdit', edit: { kind: 'deleteWord' } });
    expect(action('', { delete: true, meta: true })).toEqual({ type: 'promptEdit', edit: { kind: 'deleteWord' } });
    expect(action('c', { ctrl: true })).toEqual({ type: 'command', command: 'interrupt' });
    // Ctrl-Z suspends from a prompt too (the prompt stays open for fg).
    expect(action('z', { ctrl: true })).toEqual({ type: 'command', command: 'suspend' });
    expect(action('', { upArrow: true })).toBeNull();
  });
});

describe('splitKeys', () => {
  it('splits a run of typed characters into single keys, Enter and Backspace included', () => {
    const keys = splitKeys('/ng\u007fx\r', none);
    expect(keys.map(([input]) => input)).toEqual(['/', 'n', 'g', '', 'x', '']);
    expect(keys[3][1].backspace).toBe(true);
    expect(keys[5][1].return).toBe(true);
  });

  it('reads Alt+key (Esc and a key typed at once) as Esc, then the key', () => {
    expect(splitKeys('G', { ...none, meta: true })).toEqual([
      ['', { ...none, escape: true, meta: true }],
      ['G', none],
    ]);
  });

  it('reads Esc and a punctuation key (which Ink reports bare) as Esc, then the key, from the raw sequence', () => {
    expect(splitKeys('/', none, '\u001b/')).toEqual([
      ['', { ...none, escape: true, meta: true }],
      ['/', none],
    ]);
    expect(splitKeys('/', none, '/')).toEqual([['/', none]]);
    expect(splitKeys('[', none, '\u001b[A')).toEqual([['[', none]]);
  });

  it('leaves single keys and special keys alone', () => {
    expect(splitKeys('j', none)).toEqual([['j', none]]);
    const down = { ...none, downArrow: true };
    expect(splitKeys('', down)).toEqual([['', down]]);
  });

  it('reads control characters in a run as Ctrl keys and Tab', () => {
    const keys = splitKeys('a\tb\u0003', none);
    expect(keys[1][1].tab).toBe(true);
    expect(keys[3]).toEqual(['c', { ...none, ctrl: true }]);
  });
});
