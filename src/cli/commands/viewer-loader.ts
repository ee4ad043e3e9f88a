/**
 * The viewer (Ink + React) is loaded only by the commands that show it, so `print`, `stats`
 * and `verify` start without paying for React.
 */
// A type-only import: erased, so it loads nothing.
import type { ViewerOptions } from '../../tui/viewer.js';

/** Why the viewer cannot run here, or undefined when stdin and stdout are a terminal. */
export async function notATerminal(): Promise<string | undefined> {
  if (process.stdin.isTTY && process.stdout.isTTY) return undefined;
  return (await import('../../tui/viewer.js')).NOT_A_TERMINAL_HINT;
}

export async function runViewer(options: ViewerOptions): Promise<number> {
  const viewer = await import('../../tui/viewer.js');
  return viewer.runViewer(options);
}
