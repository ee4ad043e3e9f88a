/**
 * The viewer's Ink part: the App rendered with Ink and React over a store run-viewer.ts made
 * (and drew the first frame from). A bundle of its own (dist/bin/viewer.js: Ink, React, Yoga),
 * loaded only once the first frame is on screen.
 */
import { render } from 'ink';
import { App } from './components/App.js';
import type { ViewerStore } from './store/store.js';
import type { Theme } from './theme.js';

/** What run-viewer.ts keeps of Ink's instance. */
export interface AppInstance {
  unmount(): void;
  clear(): void;
  waitUntilExit(): Promise<unknown>;
}

export function mountApp(store: ViewerStore, options: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; theme: Theme; title?: string }): AppInstance {
  return render(<App store={store} theme={options.theme} title={options.title} />, {
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: process.stderr,
    exitOnCtrlC: false,
    // Stray console output must not tear the frame; Ink's patch needs console.Console (a test
    // runner's console may lack it).
    patchConsole: typeof (console as { Console?: unknown }).Console === 'function',
    // Not incrementalRendering: in Ink 6.8 it drifts down a line per frame unless the frame
    // fills the terminal, and a full-height frame makes Ink clear the screen on every render.
  });
}
