/**
 * The real viewer in a real terminal (tmux, 120×32): ms from spawning `CLI view --no-follow
 * TARGET` until the table's selected (newest) row and the footer's count are on screen — the
 * first screen an operator sees. Null without tmux or without that CLI built.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function viewerFirstScreenMs(cli: string, target: string): number | null {
  if (!fs.existsSync(cli) || spawnSync('tmux', ['-V']).status !== 0) return null;
  const socket = `bench-start-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const t0 = performance.now();
  tmux('new-session', '-d', '-x', '120', '-y', '32', 'env', 'NODE_ENV=production', process.execPath, cli, 'view', '--no-follow', target);
  try {
    while (performance.now() - t0 < 30_000) {
      const screen = tmux('capture-pane', '-p').stdout ?? '';
      // The selected (newest) row starts with the cursor mark, and the footer counts entries.
      if (/^› /m.test(screen) && /\d+\/\d+\s*$/m.test(screen)) return performance.now() - t0;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
    throw new Error(`the viewer showed no rows within 30 s:\n${tmux('capture-pane', '-p').stdout}`);
  } finally {
    const socketPath = (tmux('display-message', '-p', '#{socket_path}').stdout ?? '').trim();
    tmux('kill-server');
    if (socketPath !== '') fs.rmSync(socketPath, { force: true }); // kill-server leaves it behind
  }
}
