/**
 * Integrity in plain sight (issue #13), end to end in a real terminal: the built CLI's viewer
 * over logs the real writer wrote and then something damaged — a modified line, a deleted line,
 * a forged line appended while following, a gap the writer recorded (ENOSPC), a writer killed
 * and restarted, a clean stop with a request still running. Needs `npm run build` and tmux.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuditLog, openAuditLog, type WriterFs } from '../../src/writer/audit-log.js';
import { requireTool } from '../helpers/system-tools.js';
import { TmuxPane } from './tmux.js';
import { fillableDisk } from '../helpers/fillable-disk.js';
import { writeTerminalRequest } from './e2e-requests.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/bin/cli.js');
const tmux = requireTool('tmux', { package: 'tmux' });

let work = '';
let pane: TmuxPane | null = null;
const open: AuditLog[] = [];
let ids = 0;

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`build first (npm run build): ${cli} is missing`);
});

afterEach(() => {
  for (const l of open.splice(0)) l.close();
  pane?.kill();
  pane = null;
  if (work) fs.rmSync(work, { recursive: true, force: true });
  work = '';
});

function logFile(): string {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tui-e2e-chain-'));
  return path.join(work, 'audit.log');
}

function writer(file: string, pid: number, disk?: WriterFs): AuditLog {
  const l = openAuditLog({ path: file, pid, warn: () => {}, ...(disk ? { fs: disk } : {}) });
  open.push(l);
  return l;
}

/** Stops tracking a writer the test ends itself (closed, or "killed": left without its stop record). */
function forget(l: AuditLog): void {
  open.splice(open.indexOf(l), 1);
}

function request(l: AuditLog, command: string[], decision: 'approved' | 'denied' = 'approved'): string {
  return writeTerminalRequest(l, `c4a1e000-0000-4000-8000-${String(++ids).padStart(12, '0')}`, command, decision, 'web-01');
}

function respond(l: AuditLog, id: string): void {
  l.response({ id, status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 2_048, durationMs: 350 });
}

/** `n` completed requests (two records each) and a clean stop: 2n + 2 lines. */
function cleanLog(file: string, n: number): void {
  const l = writer(file, 4242);
  for (let i = 0; i < n; i++) respond(l, request(l, ['uptime', `-${i}`], i % 7 === 3 ? 'denied' : 'approved'));
  l.close();
  forget(l);
}

function view(file: string, columns = 120, rows = 30, flags = ''): TmuxPane {
  pane = new TmuxPane('tui-e2e-chain', columns, rows, { TZ: 'UTC' });
  pane.run(`clear; node ${cli} view ${flags} ${file}; echo "viewer exited $?"`);
  return pane;
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe.skipIf(!tmux.found)('integrity in the viewer, in a real terminal', () => {
  it('a modified line: BROKEN in the header with kind and file:line, a row where it is, m and Enter go to it', async () => {
    const file = logFile();
    cleanLog(file, 40);
    const all = lines(file);
    // A denied request, approved after the fact.
    const at = all.findIndex((l) => l.includes('"decision":"denied"'));
    all[at] = all[at].replace('"decision":"denied"', '"decision":"approved"');
    fs.writeFileSync(file, `${all.join('\n')}\n`);
    const line = at + 1;
    const p = view(file, 120, 30, '--no-follow');
    const screen = await p.waitFor('the badge', (s) => s.includes(`✗ chain BROKEN: modified at audit.log:${line}`), 60_000);
    expect(screen.split('\n')[0]).toMatch(new RegExp(`^sudo-proxy-audit {2}audit\\.log {2}■ end of file {2}✗ chain BROKEN: modified at audit\\.log:${line}`));
    p.keys('m');
    await p.waitFor('the integrity list', (s) => new RegExp(`› ✗ chain break {2}audit\\.log:${line} {2}modified`).test(s));
    p.keys('Enter');
    await p.waitFor('the break row, selected', (s) => new RegExp(`› +━━ ✗ CHAIN BROKEN here: modified at audit\\.log:${line} ━+`).test(s));
    p.keys('Enter');
    await p.waitFor("the break's detail", (s) => s.includes('Chain break') && /kind +modified/.test(s));
    p.keys('Escape', 'q');
    await p.waitFor('the shell again', (s) => s.includes('viewer exited 0'));
  }, 180_000);

  it('a deleted line: BROKEN, deleted', async () => {
    const file = logFile();
    cleanLog(file, 20);
    const all = lines(file);
    all.splice(10, 1);
    fs.writeFileSync(file, `${all.join('\n')}\n`);
    const p = view(file);
    await p.waitFor('the badge', (s) => /✗ chain BROKEN: deleted at audit\.log:\d+/.test(s), 60_000);
    await p.waitFor('the break row', (s) => /━━ ✗ CHAIN BROKEN here: deleted at audit\.log:\d+ ━+/.test(s));
  }, 180_000);

  it('a forged line appended while following turns the badge BROKEN', async () => {
    const file = logFile();
    const l = writer(file, 4242);
    for (let i = 0; i < 5; i++) respond(l, request(l, ['df', '-h']));
    const p = view(file);
    await p.waitFor('verified', (s) => s.includes('● live') && s.includes('✓ chain verified through 11 records'), 60_000);
    // A record in the right shape, chained to nothing the writer wrote.
    const forged = JSON.parse(lines(file).at(-2) as string) as Record<string, unknown>;
    fs.appendFileSync(file, `${JSON.stringify({ ...forged, id: 'f0f0f0f0-0000-4000-8000-000000000001', seq: (forged.seq as number) + 2, prev: '0'.repeat(64) })}\n`);
    // verify's verdict: the line before the forged one no longer matches the hash it claims.
    await p.waitFor('the badge turned', (s) => /✗ chain BROKEN: \w+ at audit\.log:1[12]/.test(s));
    await p.waitFor('the break row', (s) => /━━ ✗ CHAIN BROKEN here: \w+ at audit\.log:1[12] ━+/.test(s));
  }, 180_000);

  it('an ENOSPC gap: a row with the records dropped and the error', async () => {
    const file = logFile();
    const disk = fillableDisk();
    const l = writer(file, 4242, disk.fs);
    respond(l, request(l, ['uptime']));
    disk.full = true;
    for (let i = 0; i < 5; i++) request(l, ['lost', String(i)]);
    disk.full = false;
    l.close();
    forget(l);
    const p = view(file, 200);
    await p.waitFor('the gap row', (s) => /┄┄ ⚠ GAP 5 records dropped · cannot write .*ENOSPC: no space left on device/.test(s), 60_000);
    p.keys('m');
    await p.waitFor('the gap in the list', (s) => /› ⚠ gap +audit\.log:\d+ {2}5 records dropped: cannot write .*ENOSPC/.test(s));
    p.keys('Enter', 'Enter');
    await p.waitFor("the gap's detail", (s) => /dropped +5 records/.test(s) && /error +cannot write .*ENOSPC/.test(s));
  }, 180_000);

  it('a writer killed and restarted: "after a crash", and what it ran is halted', async () => {
    const file = logFile();
    const first = writer(file, 1111);
    respond(first, request(first, ['uptime']));
    request(first, ['sleep', '600']);
    // Killed: never closed, so no stop record follows.
    forget(first);
    const second = writer(file, 2222);
    respond(second, request(second, ['df', '-h']));
    const p = view(file);
    await p.waitFor('the restart row', (s) => s.includes('⚠ writer restarted after a crash · pid 2222'), 60_000);
    const screen = await p.waitFor('the halted request', (s) => /↯ halted .*# sleep 600/.test(s));
    expect(screen).toMatch(/┄┄ ▷ writer started · pid 1111/);
  }, 180_000);

  it('a clean stop with a request running: a stop row, and the request halted at once', async () => {
    const file = logFile();
    const l = writer(file, 4242);
    respond(l, request(l, ['uptime']));
    request(l, ['sleep', '600']);
    const p = view(file);
    await p.waitFor('running', (s) => /▶ running .*# sleep 600/.test(s), 60_000);
    l.close();
    forget(l);
    const screen = await p.waitFor('the stop row and the halted request', (s) => s.includes('□ writer stopped · pid 4242') && /↯ halted .*# sleep 600/.test(s));
    // The stop is the newest row, and following selects it.
    expect(screen).toMatch(/› \d\d:\d\d:\d\d ┄┄ □ writer stopped · pid 4242/);
    p.keys('W');
    await p.waitFor('writer rows hidden', (s) => !s.includes('writer stopped') && s.includes('writer rows hidden'));
  }, 180_000);
});
