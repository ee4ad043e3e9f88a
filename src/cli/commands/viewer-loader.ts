/**
 * The viewer, for the commands that show it (`view`, `demo --view`). Its start (run-viewer.ts:
 * the engine, the store, the first frame) is bundled with the command; Ink and React are
 * viewer.js, which it loads once the first frame is drawn, so `print`, `stats` and `verify`
 * never load React and the viewer's first rows do not wait for it.
 */
import { NOT_A_TERMINAL_HINT, runViewer as runInTerminal } from '../../tui/run-viewer.js';
import { leaveOutputErrorsToTheViewer } from './output.js';

export const runViewer: typeof runInTerminal = (...args) => {
  leaveOutputErrorsToTheViewer();
  return runInTerminal(...args);
};

/** Why the viewer cannot run here, or undefined when stdin and stdout are a terminal. */
export async function notATerminal(): Promise<string | undefined> {
  if (process.stdin.isTTY && process.stdout.isTTY) return undefined;
  return NOT_A_TERMINAL_HINT;
}
