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
import { generateLog } from '../../src/demo/generate.js';
import { fillableDisk } from '../helpers/fillable-disk.js';
import { chainedLines, securityRecords } from '../helpers/security-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'screenshots');
const cli = path.join(root, 'dist/bin/cli.js');
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
  // The writer's clock fixed too: its start and stop rows (and the entry's logged time) are part of the picture.
  const log = openAuditLog({ path: file, pid: 4242, warn: () => {}, now: () => Date.parse('2026-11-26T21:40:00.500Z') });
  log.request({
    id: 'f00dfeed-0000-4000-8000-000000000001', time: '2026-11-26T21:40:00Z', host: 'web-01\u001b]0;pwned\u0007', session: 'claude-7f3c',
    pipeline: [['sh', '-c', 'echo \u001b[2J\u001b[31mhello\u001b[0m; rm -rf /\u202e']], resolved: ['/usr/bin/sh'], env: { PATH: 'x' },
    reason: 'totally routine\u2028cleanup \u009b31m', privileged: true, decision: 'denied', via: 'operator', latencyMs: 2400,
  });
  log.close();
  return file;
}

/**
 * A collector directory (DIR/<host>/audit.log) of five hosts over the same evening, busy hosts
 * writing more, so the merged view interleaves them; web-02's collector got one batch twice
 * (a relay resending after a lost ack), which the viewer drops and counts.
 */
function fixtureFleet(): string {
  const dir = path.join(work, 'fleet');
  const startMs = Date.parse('2026-11-26T18:00:00Z');
  const hosts = [
    { origin: 'web-01', seed: 101, gapMs: 45_000 },
    { origin: 'web-02', seed: 202, gapMs: 50_000 },
    { origin: 'db-01', seed: 303, gapMs: 90_000 },
    { origin: 'build-01', seed: 404, gapMs: 70_000 },
    { origin: 'bastion', seed: 505, gapMs: 150_000 },
  ];
  const spanMs = 4 * 3_600_000;
  for (const h of hosts) {
    const file = path.join(dir, h.origin, 'audit.log');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // About two records (request + response) per request over the same span. Nothing left
    // running: a running row's TOOK counts from now, which would change the image every run.
    generateLog({ path: file, count: Math.round((2 * spanMs) / h.gapMs), seed: h.seed, startMs, gapMs: h.gapMs });
  }
  const resent = path.join(dir, 'web-02', 'audit.log');
  const lines = fs.readFileSync(resent, 'utf8').split('\n');
  fs.appendFileSync(resent, `${lines.slice(200, 220).join('\n')}\n`);
  return dir;
}

/** The day's log with one denied request changed to approved after the fact: the chain breaks there. */
function fixtureBroken(): string {
  const file = path.join(work, 'broken', 'audit.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  generateLog({ path: file, count: 400, seed: 42, startMs: Date.parse('2026-11-26T08:00:00Z'), gapMs: 60_000 });
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l, i) => i > 200 && l.includes('"decision":"denied"'));
  lines[at] = lines[at].replace('"decision":"denied"', '"decision":"approved"');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

/**
 * A writer's bad evening: the disk fills (twelve records dropped, the gap recorded), the daemon
 * stops cleanly with a request running, starts, is killed with another running, and starts again.
 */
/** A replayed request and an ApprovedAlways with its policy change (issue #15), who decided on each. */
function fixtureSecurity(): string {
  const file = path.join(work, 'security', 'audit.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, chainedLines(securityRecords()).map((l) => `${l}\n`).join(''));
  return file;
}

function fixtureGap(): string {
  const file = path.join(work, 'gap', 'audit.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let clock = Date.parse('2026-11-26T18:00:00Z');
  const disk = fillableDisk();
  const commands = [['systemctl', 'status', 'nginx'], ['df', '-h'], ['journalctl', '-u', 'nginx', '-n', '50'], ['du', '-sh', '/var/log'], ['uptime']];
  let n = 0;
  const run = (log: ReturnType<typeof openAuditLog>, finish = true) => {
    clock += 47_000;
    const id = `5ee0a11e-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const command = commands[n % commands.length];
    log.request({
      id, time: new Date(clock).toISOString(), host: 'web-01', session: 'claude-7f3c', pipeline: [command], resolved: [`/usr/bin/${command[0]}`],
      env: { PATH: '/usr/bin' }, reason: 'disk filling up on web-01', privileged: true, decision: 'approved', via: 'operator', latencyMs: 2_100,
    });
    if (!finish) return;
    clock += 800;
    log.response({ id, status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 4_096, durationMs: 800 });
  };
  const first = openAuditLog({ path: file, pid: 4242, now: () => clock, warn: () => {}, fs: disk.fs, retryMs: { initial: 0, max: 0 } });
  for (let i = 0; i < 6; i++) run(first);
  disk.full = true;
  for (let i = 0; i < 12; i++) run(first, false);
  disk.full = false;
  for (let i = 0; i < 3; i++) run(first);
  run(first, false);
  clock += 30_000;
  first.close();
  clock += 120_000;
  const second = openAuditLog({ path: file, pid: 5177, now: () => clock, warn: () => {} });
  for (let i = 0; i < 3; i++) run(second);
  run(second, false);
  // Killed: no stop record. The next start says so.
  clock += 300_000;
  const third = openAuditLog({ path: file, pid: 5203, now: () => clock, warn: () => {} });
  for (let i = 0; i < 4; i++) run(third);
  third.close();
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
// And, since the chain is checked as it is read, indexing and the check done (a loaded machine can
// hold a screen still for longer than `settle` waits while they run).
const loaded = (screen: string) =>
  screen.includes('sudo-proxy-audit') && !screen.includes('reading…') && !/Σ 0\b/.test(screen) && !/indexing history|chain checking/.test(screen);

/**
 * Rewrites every SGR sequence as the full style it leaves in force (`ESC[0;…m`). aha drops
 * inverse video when a later sequence only resets the colour (tmux writes `ESC[39m` inside the
 * selected row), so the selected row's bar would start mid-row; restated in full it holds.
 * aha also ignores faint (2), so faint is sent as blink (5: the viewer never blinks), which
 * aha does render and `faintFromBlink` turns into a faded span.
 */
function restateSgr(ansi: string): string {
  const style = { bold: false, dim: false, italic: false, underline: false, inverse: false, fg: '', bg: '' };
  return ansi.replace(/\u001b\[([0-9;]*)m/g, (_, params: string) => {
    const codes = params === '' ? [0] : params.split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) Object.assign(style, { bold: false, dim: false, italic: false, underline: false, inverse: false, fg: '', bg: '' });
      else if (c === 1) style.bold = true;
      else if (c === 2) style.dim = true;
      else if (c === 22) style.bold = style.dim = false;
      else if (c === 3 || c === 23) style.italic = c === 3;
      else if (c === 4 || c === 24) style.underline = c === 4;
      else if (c === 7 || c === 27) style.inverse = c === 7;
      else if (c === 39) style.fg = '';
      else if (c === 49) style.bg = '';
      else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) style.fg = String(c);
      else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) style.bg = String(c);
      else if (c === 38 || c === 48) {
        // 38;5;N or 38;2;R;G;B: the colour spans the following parameters.
        const length = codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0;
        const colour = codes.slice(i, i + 1 + length).join(';');
        if (c === 38) style.fg = colour;
        else style.bg = colour;
        i += length;
      }
    }
    const parts = ['0'];
    if (style.bold) parts.push('1');
    if (style.dim) parts.push('5');
    if (style.italic) parts.push('3');
    if (style.underline) parts.push('4');
    if (style.inverse) parts.push('7');
    if (style.fg) parts.push(style.fg);
    if (style.bg) parts.push(style.bg);
    return `\u001b[${parts.join(';')}m`;
  });
}

const faintFromBlink = (html: string) => html.replaceAll('text-decoration:blink;', 'opacity:0.55;');

/** SHOTS_ONLY=a,b: take only these (the others' images stay as they are). */
const only = process.env.SHOTS_ONLY ? new Set(process.env.SHOTS_ONLY.split(',')) : null;

function shoot(name: string, command: string, steps: Array<{ keys?: string[]; until?: (screen: string) => boolean; stable?: boolean }>): void {
  if (only && !only.has(name)) return;
  tmux('new-session', '-d', '-x', String(COLS), '-y', String(ROWS), '-s', name, `env TERM=xterm-256color FORCE_COLOR=3 TZ=UTC ${command}`);
  try {
    for (const step of steps) {
      if (step.keys) tmux('send-keys', '-t', name, ...step.keys);
      settle(name, step.until ?? loaded, step.stable ?? true);
    }
    const ansi = tmux('capture-pane', '-e', '-p', '-t', name);
    const body = faintFromBlink(execFileSync('aha', ['--black', '--no-header'], { input: restateSgr(ansi), encoding: 'utf8' }));
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
  const fleet = `node ${cli} view --no-follow ${fixtureFleet()}`;
  const fleetLoaded = (screen: string) => loaded(screen) && /\d+ hosts/.test(screen) && /duplicate line/.test(screen);
  shoot('fleet', fleet, [{ until: fleetLoaded }]);
  // Filtered, and the header's counts caught up with the filter: Σ is the footer's match count.
  const originFiltered = (s: string) => fleetLoaded(s) && /filter: origin db-01/.test(s) && s.match(/Σ (\d+)/)?.[1] === s.match(/\d+\/(\d+) of \d+/)?.[1];
  // `o`, clear the prefilled origin, `db` + Tab completes to db-01, Enter filters.
  shoot('fleet-origin', fleet, [{ until: fleetLoaded }, { keys: ['o', 'C-u', 'd', 'b', 'Tab'], until: (s) => /origin: db-01/.test(s) }, { keys: ['Enter'], until: originFiltered }]);
  // Integrity in plain sight: the badge, the break's row (m, Enter goes to it), the writer's life.
  const brokenShown = (s: string) => loaded(s) && /CHAIN BROKEN here/.test(s) && /› /.test(s);
  shoot('chain-broken', `node ${cli} view --no-follow ${fixtureBroken()}`, [{ until: (s) => loaded(s) && /chain BROKEN/.test(s) }, { keys: ['m'], until: (s) => /Not vouched for/.test(s) }, { keys: ['Enter'], until: brokenShown }]);
  shoot('gap', `node ${cli} view --no-follow ${fixtureGap()}`, [{ until: (s) => loaded(s) && /GAP 12 records dropped/.test(s) }]);
  // Security events: the header's count, the policy change's row in place, a replay among the entries.
  shoot('security', `node ${cli} view --no-follow ${fixtureSecurity()}`, [{ until: (s) => loaded(s) && /⚑ 2 security/.test(s) && /POLICY CHANGED/.test(s) }]);
  const big = process.env.SHOTS_BIG_LOG;
  if (big && fs.existsSync(big)) shoot('indexing', `node ${cli} view --no-follow ${big}`, [{ until: (s) => /indexing/.test(s) && /\d+%/.test(s) && !/ 0%/.test(s), stable: false }]);
  else console.log('skipped indexing.png: set SHOTS_BIG_LOG to a large log (e.g. the engine benchmark\'s 1M-record file)');
} finally {
  const socketPath = spawnSync('tmux', ['-L', socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  if (socketPath !== '') fs.rmSync(socketPath, { force: true }); // kill-server leaves it behind
  fs.rmSync(work, { recursive: true, force: true });
}
