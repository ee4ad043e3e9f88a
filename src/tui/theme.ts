/**
 * How states and marks look. Every state has a symbol and a word as well as a colour, so the
 * table reads the same for colour-blind operators and under NO_COLOR (https://no-color.org).
 */
import type { EntryState } from '../shared/entry.js';

export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'redBright' | 'gray' | 'blue';

export interface StateLook {
  symbol: string;
  word: string;
  color: Color;
}

export const STATE_LOOK: Record<EntryState, StateLook> = {
  running: { symbol: '▶', word: 'running', color: 'cyan' },
  ok: { symbol: '✓', word: 'ok', color: 'green' },
  failed: { symbol: '✗', word: 'failed', color: 'red' },
  denied: { symbol: '⊘', word: 'denied', color: 'yellow' },
  timeout: { symbol: '◷', word: 'timeout', color: 'magenta' },
  rejected: { symbol: '⊗', word: 'rejected', color: 'redBright' },
};

/**
 * A running entry whose writer stopped or crashed before its outcome was written (anomaly
 * `interrupted`): it will never finish, so it does not tick on as running.
 */
export const INTERRUPTED_LOOK: StateLook = { symbol: '↯', word: 'halted', color: 'yellow' };

/** How an entry's state looks: its state's, or halted when its writer went away while it ran. */
export function lookOf(entry: { state: EntryState; anomalies: readonly string[] }): StateLook {
  return entry.state === 'running' && entry.anomalies.includes('interrupted') ? INTERRUPTED_LOOK : STATE_LOOK[entry.state];
}

/** The order states are listed in (header counts, filter presets). */
export const STATE_ORDER: readonly EntryState[] = ['running', 'ok', 'failed', 'denied', 'timeout', 'rejected'];

export interface Theme {
  /** False under NO_COLOR: components then pass no colour at all (bold/inverse/dim stay). */
  color: boolean;
  /** The colour to use, or undefined when colour is off. */
  paint(color: Color): Color | undefined;
}

export function createTheme(color: boolean): Theme {
  return { color, paint: (c) => (color ? c : undefined) };
}

/** NO_COLOR set to anything but the empty string turns colour off (chalk does not check it). */
export function colorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
