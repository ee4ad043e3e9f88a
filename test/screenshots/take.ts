/**
 * `npm run screenshots`: runs the real CLI in a real terminal (tmux 120×32) over fixed fixture
 * logs, drives it with keys, and renders each capture to PNG: tmux capture-pane -e → aha
 * (ANSI → HTML) → headless Chromium. Needs Debian's tmux, aha and chromium.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuditLog } from '../../src/writer/audit-log.js';
import { generateLog } from '../../src/writer/generate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'screenshots');
const cli = path.join(root, 'dist/tui/cli.js');
const COLS = 120;
const ROWS = 32;
const socket = `shots-${process.pid}`;

for (const tool of ['tmux', 'aha', 'chromium']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.error(`screenshots need ${tool}: apt-get install -y tmux aha chromium`);
    process.exit(2);
  }
}
if (!fs.existsSync(cli)) {
  console.error('build first: npm run build');
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shots-'));
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

/** A realistic day, plus a few records a hostile client sent. */
function fixtureLog(): string {
  const file = path.join(work, 'audit.log');
  generateLog({ path: file, count: 400, seed: 42, startMs: Date.parse('2026-11-26T08:00:00Z'), gapMs: 60_000, runningShare: 0.02 });
  const log = openAuditLog({ path: file, pid: 4242, warn: () => {} });
  log.request({
    id: 'f00dfeed-0000-4000-8000-000000000001', time: '2026-11-26T21:40:00Z', host: 'web-01\u001b]0;pwned\u0007', session: 'claude-7f3c',
    pipeline: [['sh', '-c', 'echo \u001b[2J\u001b[31mhello\u001b[0m; rm -rf /\u202e']], resolved: ['/usr/bin/sh'], env: { PATH: 'x' },
    reason: 'totally routine\u2028cleanup \u009b31m', privileged: true, decision: 'denied', via: 'operator', latencyMs: 2400,
  });
  log.close();
  return file;
}

/** Polls the pane until `ready` holds and (when `stable`) two captures 150 ms apart agree. */
function settle(name: string, ready: (screen: string) => boolean, stable = true): void {
  const deadline = Date.now() + 20_000;
  let previous = '';
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-t', name);
    if (ready(screen) && (!stable || screen === previous)) return;
    if (Date.now() > deadline) throw new Error(`${name}: the screen never settled:\n${screen}`);
    previous = screen;
    sleep(150);
  }
}

// Loaded: rows read, and the header's stats (refreshed at most once a second) caught up.
const loaded = (screen: string) => screen.includes('sudo-proxy-audit') && !screen.includes('reading…') && !/Σ 0\b/.test(screen);

function shoot(name: string, command: string, steps: Array<{ keys?: string[]; until?: (screen: string) => boolean; stable?: boolean }>): void {
  tmux('new-session', '-d', '-x', String(COLS), '-y', String(ROWS), '-s', name, `env TERM=xterm-256color FORCE_COLOR=3 TZ=UTC ${command}`);
  try {
    for (const step of steps) {
      if (step.keys) tmux('send-keys', '-t', name, ...step.keys);
      settle(name, step.until ?? loaded, step.stable ?? true);
    }
    const ansi = tmux('capture-pane', '-e', '-p', '-t', name);
    const body = execFileSync('aha', ['--black', '--no-header'], { input: ansi, encoding: 'utf8' });
    const html = `<!doctype html><meta charset="utf-8"><style>
      body{margin:0;background:#000}
      pre{margin:0;padding:12px;font:15px/1.25 'DejaVu Sans Mono',monospace;color:#ddd;white-space:pre}
      </style><pre>${body}</pre>`;
    const htmlFile = path.join(work, `${name}.html`);
    fs.writeFileSync(htmlFile, html);
    const png = path.join(outDir, `${name}.png`);
    execFileSync('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${path.join(work, 'chrome')}`, '--hide-scrollbars',
      `--window-size=${COLS * 9 + 24},${ROWS * 19 + 24}`, `--screenshot=${png}`, `file://${htmlFile}`,
    ], { stdio: 'ignore', timeout: 60_000 });
    console.log(`wrote ${path.relative(root, png)}`);
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-session', '-t', name]);
  }
}

fs.mkdirSync(outDir, { recursive: true });
const log = fixtureLog();
const view = `node ${cli} view --no-follow ${log}`;
try {
  shoot('live-view', view, [{}]);
  shoot('detail-pane', view, [{}, { keys: ['k', 'k', 'k'] }, { keys: ['Enter'] }]);
  shoot('filter-failed', view, [{}, { keys: ['f', 'f'] }]);
  shoot('help', view, [{}, { keys: ['?'] }]);
  shoot('hostile-strings', view, [{}, { keys: ['Enter'] }]);
  const big = process.env.SHOTS_BIG_LOG;
  if (big && fs.existsSync(big)) shoot('indexing', `node ${cli} view --no-follow ${big}`, [{ until: (s) => /indexing/.test(s) && /\d+%/.test(s) && !/ 0%/.test(s), stable: false }]);
  else console.log('skipped indexing.png: set SHOTS_BIG_LOG to a large log (e.g. the engine benchmark\'s 1M-record file)');
} finally {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  fs.rmSync(work, { recursive: true, force: true });
}
