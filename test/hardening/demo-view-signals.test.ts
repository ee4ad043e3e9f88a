/**
 * `npm start` (`demo --view`) stopped by a signal — `kill`, a closed ssh session's SIGHUP, a
 * Ctrl-C sent from outside — must stop the demo daemon as `q` does: its log closed with a
 * writer `stop` record (a log ending without one reads as a daemon that crashed). Needs
 * `npm run build` and tmux, as the other end-to-end tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireTool } from '../helpers/system-tools.js';
import { TmuxPane } from '../tui/tmux.js';
import { collect, spawnCli } from '../cli/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/bin/cli.js');
const tmux = requireTool('tmux', { package: 'tmux' });

let work = '';
let pane: TmuxPane | null = null;

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`build first (npm run build): ${cli} is missing`);
});

afterEach(() => {
  pane?.kill();
  pane = null;
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const lastRecord = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) as string) as { type: string; event?: string };

describe.skipIf(!tmux.found)('demo --view stopped by a signal', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal}: the viewer ends with ${code}, and the demo daemon closes its log with a stop record`, async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-signals-'));
      const file = path.join(work, 'audit.log');
      pane = new TmuxPane('demo-signals', 100, 30, { TZ: 'UTC' });
      pane.run(`clear; node ${cli} demo --view --rate 20 --speed 1000 --audit-log ${file}; echo "demo exited $?"`);
      await pane.waitFor('the viewer over the demo', (s) => s.includes('demo daemon →') && s.includes('● live'), 60_000);
      // Ink drawing (not only the first frame before it loads): it answers a key.
      pane.keys('?');
      await pane.waitFor('the help', (s) => s.includes('G  F  End'));
      const pid = pane.foregroundPid();
      expect(pid).not.toBeNull();
      process.kill(pid as number, signal);
      await pane.waitFor('the shell again', (s) => s.includes(`demo exited ${code}`));
      expect(lastRecord(file)).toMatchObject({ type: 'writer', event: 'stop' });
    }, 120_000);
  }

  it('SIGTERM once the daemon writes, before the viewer draws: the log still ends with a stop record', async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-signals-'));
    const file = path.join(work, 'audit.log');
    pane = new TmuxPane('demo-signals', 100, 30, { TZ: 'UTC' });
    // exec: the pane's shell becomes the demo, its pid known before it starts.
    const pid = Number(pane.tmux('display-message', '-p', '#{pane_pid}').trim());
    pane.run(`exec node ${cli} demo --view --rate 20 --speed 1000 --audit-log ${file}`);
    // The daemon's first record, then the signal at once: the viewer is still loading (its
    // handlers not there yet), and the process died of it, the log left with no stop record.
    await vi.waitFor(() => expect(fs.existsSync(file) && fs.statSync(file).size > 0).toBe(true), { timeout: 60_000, interval: 1 });
    process.kill(pid, 'SIGTERM');
    await vi.waitFor(() => expect(fs.existsSync(`/proc/${pid}`)).toBe(false), { timeout: 10_000, interval: 20 });
    expect(lastRecord(file)).toMatchObject({ type: 'writer', event: 'stop' });
  }, 120_000);

  it('the terminal hung up (the pane closed, an ssh session dropped): the demo daemon closes its log with a stop record', async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-signals-'));
    const file = path.join(work, 'audit.log');
    pane = new TmuxPane('demo-signals', 100, 30, { TZ: 'UTC' });
    pane.run(`clear; node ${cli} demo --view --rate 20 --speed 1000 --audit-log ${file} 2>${file}.err`);
    await pane.waitFor('the viewer over the demo', (s) => s.includes('demo daemon →') && s.includes('● live'), 60_000);
    pane.keys('?');
    await pane.waitFor('the help', (s) => s.includes('G  F  End'));
    const pid = pane.foregroundPid() as number;
    expect(pid).not.toBeNull();
    // The terminal goes: SIGHUP, and every write to it fails (EIO).
    pane.kill();
    pane = null;
    await vi.waitFor(() => expect(fs.existsSync(`/proc/${pid}`)).toBe(false), { timeout: 10_000, interval: 20 });
    expect(lastRecord(file), fs.readFileSync(`${file}.err`, 'utf8')).toMatchObject({ type: 'writer', event: 'stop' });
  }, 120_000);
});

/** `pid` and every process below it. */
function withDescendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone
  }
  return [pid, ...children.flatMap(withDescendants)];
}

describe.skipIf(!tmux.found)('npm start stopped by a signal to npm (a supervisor, a script, `kill` of the pid it started)', () => {
  it('SIGTERM: npm, the demo and its viewer all end, the log closed with a stop record', async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-signals-'));
    const file = path.join(work, 'audit.log');
    pane = new TmuxPane('demo-signals', 100, 30, { TZ: 'UTC' });
    pane.run(`cd ${root} && clear; npm start --silent -- --audit-log ${file}`);
    await pane.waitFor('the viewer over the demo', (s) => s.includes('demo daemon →') && s.includes('● live'), 60_000);
    pane.keys('?');
    await pane.waitFor('the help', (s) => s.includes('G  F  End'));
    const npm = pane.foregroundPid() as number;
    expect(npm).not.toBeNull();
    const all = withDescendants(npm);
    expect(all.length).toBeGreaterThan(1);
    process.kill(npm, 'SIGTERM');
    await vi.waitFor(() => expect(all.filter((pid) => fs.existsSync(`/proc/${pid}`))).toEqual([]), { timeout: 10_000, interval: 20 });
    expect(lastRecord(file)).toMatchObject({ type: 'writer', event: 'stop' });
  }, 120_000);
});

describe('demo (no viewer) stopped by a signal', () => {
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${signal}: the daemon closes its log with a stop record and exits 0`, async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-signals-'));
      const file = path.join(work, 'audit.log');
      const child = spawnCli(['demo', '--rate', '20', '--speed', '1000', '--audit-log', file]);
      const done = collect(child);
      await new Promise<void>((resolve) => child.stderr?.once('data', () => resolve()));
      child.kill(signal);
      const r = await done;
      expect(r.code).toBe(0);
      expect(lastRecord(file)).toMatchObject({ type: 'writer', event: 'stop' });
    });
  }
});
