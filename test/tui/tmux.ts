/**
 * Drives a real terminal for end-to-end tests: a tmux server on its own socket (so it never
 * touches the user's tmux), one pane running a plain shell. Its environment is scrubbed of CI
 * variables: under CI, Ink draws nothing until exit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TmuxPane {
  private readonly socket: string;
  /** The server's socket file, which kill-server leaves behind. */
  private readonly socketPath: string;
  private readonly target = 'e2e';

  constructor(name: string, columns: number, rows: number, env: Record<string, string> = {}) {
    this.socket = `${name}-${process.pid}`;
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION' && !k.startsWith('CI_') && !k.startsWith('TMUX')),
    );
    const shellEnv = { ...clean, TERM: 'xterm-256color', ...env };
    execFileSync(
      'tmux',
      ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(columns), '-y', String(rows), '-s', this.target, 'bash --norc --noprofile'],
      { env: shellEnv },
    );
    // No status line: the pane is the whole terminal.
    this.tmux('set-option', '-t', this.target, 'status', 'off');
    this.socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types a command line into the shell. */
  run(command: string): void {
    this.tmux('send-keys', '-t', this.target, '-l', command);
    this.tmux('send-keys', '-t', this.target, 'Enter');
  }

  /** Key names as tmux knows them (`k`, `Enter`, `Escape`, `PageDown`, `End`). */
  keys(...keys: string[]): void {
    for (const key of keys) this.tmux('send-keys', '-t', this.target, key);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.target);
  }

  alternateScreenOn(): boolean {
    return this.tmux('display-message', '-p', '-t', this.target, '#{alternate_on}').trim() === '1';
  }

  /** The shell's pid, and the pid of the program it runs in the foreground. */
  foregroundPid(): number | null {
    const shell = Number(this.tmux('display-message', '-p', '-t', this.target, '#{pane_pid}').trim());
    try {
      const children = fs.readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return children.length > 0 ? Number(children[0]) : null;
    } catch {
      return null;
    }
  }

  /** Polls the screen until `check` holds; throws with the last screen when it does not in time. */
  async waitFor(what: string, check: (screen: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (check(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    if (this.socketPath !== '') fs.rmSync(this.socketPath, { force: true });
  }
}
