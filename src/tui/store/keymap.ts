/**
 * Keys to actions, less/vim style. Which keys mean what depends on the mode: typing into a
 * prompt, reading a pane, or moving in the table. Pure: (state, input, key) → action.
 */
import type { Key } from 'ink';
import type { Action, Command } from './actions.js';
import type { ViewerState } from './state.js';

/** The subset of Ink's Key the viewer reads; tests build it without the rest. */
export type KeyInfo = Pick<Key, 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'ctrl' | 'tab' | 'backspace' | 'delete' | 'meta'>;

const MAIN_KEYS: Record<string, Command> = {
  j: 'down',
  k: 'up',
  ' ': 'pageDown',
  b: 'pageUp',
  g: 'top',
  G: 'bottom',
  F: 'bottom',
  '/': 'search',
  n: 'searchNext',
  N: 'searchPrev',
  f: 'cycleState',
  h: 'promptHost',
  o: 'promptOrigin',
  s: 'promptSession',
  t: 'promptTime',
  u: 'promptOperator',
  c: 'clearFilters',
  m: 'integrity',
  W: 'toggleWriter',
  S: 'toggleOrder',
  w: 'export',
  y: 'copyId',
  Y: 'copyCommand',
  '?': 'help',
  q: 'quit',
  '[': 'prevEntry',
  ']': 'nextEntry',
};

const CTRL_KEYS: Record<string, Command> = { c: 'interrupt', d: 'halfDown', u: 'halfUp', f: 'pageDown', b: 'pageUp' };

function specialKey(key: KeyInfo): Command | null {
  if (key.downArrow) return 'down';
  if (key.upArrow) return 'up';
  if (key.pageDown) return 'pageDown';
  if (key.pageUp) return 'pageUp';
  if (key.home) return 'top';
  if (key.end) return 'bottom';
  if (key.return) return 'open';
  if (key.escape) return 'back';
  return null;
}

/** `now` stamps a prompt submit (relative times like `2h` are read against it). */
export function keyToAction(state: ViewerState, input: string, key: KeyInfo, now: number): Action | null {
  if (key.ctrl && input === 'c') return { type: 'command', command: 'interrupt' };
  // In raw mode the terminal sends Ctrl-Z as a key, not as SIGTSTP: the viewer stops itself.
  if (key.ctrl && input === 'z') return { type: 'command', command: 'suspend' };
  if (state.prompt) return promptKey(input, key, now);
  const special = specialKey(key);
  if (special) return { type: 'command', command: special };
  if (key.ctrl) {
    const cmd = CTRL_KEYS[input];
    return cmd ? { type: 'command', command: cmd } : null;
  }
  if (key.meta) return null;
  const cmd = MAIN_KEYS[input];
  return cmd ? { type: 'command', command: cmd } : null;
}

function promptKey(input: string, key: KeyInfo, now: number): Action | null {
  if (key.return) return { type: 'promptSubmit', now };
  if (key.escape) return { type: 'promptCancel' };
  if (key.tab) return { type: 'promptComplete' };
  // Terminals send DEL (0x7f) for the Backspace key, which Ink reports as `delete`; with Alt
  // (Esc first) it deletes a word, as in readline.
  if (key.backspace || key.delete) return { type: 'promptEdit', edit: { kind: key.meta ? 'deleteWord' : 'backspace' } };
  if (key.ctrl && input === 'u') return { type: 'promptEdit', edit: { kind: 'clear' } };
  if (key.ctrl && input === 'w') return { type: 'promptEdit', edit: { kind: 'deleteWord' } };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.home || key.end) return null;
  return input === '' ? null : { type: 'promptEdit', edit: { kind: 'insert', text: input } };
}

/** A key event with no modifier or special key: what a printable character arrives as. */
export const NO_KEY: KeyInfo = {
  upArrow: false,
  downArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};

const ESC_THEN_PRINTABLE = /^\u001b[\u0020-\u007e]$/;

/**
 * Ink hands over a run of plain characters as one input (keys typed faster than they are
 * read, a held `j`, a paste, `/nginx⏎` from tmux send-keys). Splits it into single keys so
 * each is handled in the mode the previous one left (`/` opens the prompt the rest types into).
 */
export function splitKeys(input: string, key: KeyInfo, raw = ''): Array<[string, KeyInfo]> {
  // Esc and a key typed right after it arrive as one Alt+key sequence; the viewer has no Alt
  // keys, so it is read as the two keys it was. Ink marks that as meta only for letters and
  // digits: Esc then `/` comes as a bare `/`, and only the raw sequence still shows the Esc.
  const escThenKey = key.meta && !key.escape && !key.ctrl && input.length === 1 && specialKey(key) === null;
  if (escThenKey || (ESC_THEN_PRINTABLE.test(raw) && input === raw.slice(1))) {
    return [
      ['', { ...NO_KEY, escape: true, meta: true }],
      [input, NO_KEY],
    ];
  }
  if (input.length <= 1 || key.ctrl || key.meta || specialKey(key) !== null) return [[input, key]];
  const keys: Array<[string, KeyInfo]> = [];
  for (const ch of input) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code !== 0x7f) keys.push([ch, NO_KEY]);
    else if (ch === '\r' || ch === '\n') keys.push(['', { ...NO_KEY, return: true }]);
    else if (ch === '\t') keys.push(['', { ...NO_KEY, tab: true }]);
    else if (ch === '\u007f' || ch === '\b') keys.push(['', { ...NO_KEY, backspace: true }]);
    else if (code >= 1 && code <= 26) keys.push([String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }]);
  }
  return keys;
}
