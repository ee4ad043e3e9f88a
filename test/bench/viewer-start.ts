/**
 * The real viewer in a real terminal (tmux, 120×32): ms from spawning `CLI view --no-follow
 * TARGET` until the table's selected (newest) row and the footer's count are on screen — the
 * first screen an operator sees. Null without tmux or without that CLI built.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function viewerFirstScreenMs(cli: string, target: string): number | null {
  if (!fs.existsSync(cli)) return null;
  // The selected (newest) row starts with the cursor mark, and the footer counts entries.
  return firstScreenMs([process.execPath, cli, 'view', '--no-follow', target], (screen) => /^› /m.test(screen) && /\d+\/\d+\s*$/m.test(screen));
}

/** ms from spawning `argv` in a fresh 120×32 tmux until `ready(screen)`; null without tmux. */
export function firstScreenMs(argv: readonly string[], ready: (screen: string) => boolean): number | null {
  if (spawnSync('tmux', ['-V']).status !== 0) return null;
  const socket = `bench-start-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const t0 = performance.now();
  tmux('new-session', '-d', '-x', '120', '-y', '32', 'env', 'NODE_ENV=production', ...argv);
  try {
    while (performance.now() - t0 < 30_000) {
      const screen = tmux('capture-pane', '-p').stdout ?? '';
      if (ready(screen)) return performance.now() - t0;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
    throw new Error(`${argv.join(' ')} showed no first screen within 30 s:\n${tmux('capture-pane', '-p').stdout}`);
  } finally {
    const socketPath = (tmux('display-message', '-p', '#{socket_path}').stdout ?? '').trim();
    tmux('kill-server');
    if (socketPath !== '') fs.rmSync(socketPath, { force: true }); // kill-server leaves it behind
  }
}
