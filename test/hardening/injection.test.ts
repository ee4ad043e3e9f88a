/**
 * Terminal injection, end to end. A hostile client controls every string of its records: id,
 * argv, resolved paths, env keys, reason, host, session, errors. Records holding escape
 * sequences that would change the window title, clear the screen, write the clipboard (OSC 52)
 * or plant a hyperlink (OSC 8), C1 controls, DEL, bidi overrides, line separators, raw
 * newlines and a 1 MB argument are written by the real writer, then:
 * - `print` (text and --json) and `stats`, as the built CLI in a pipe: the raw bytes they emit
 *   hold no ESC (NO_COLOR and no TTY, so the program itself emits none either), no C1, DEL,
 *   bidi or line-separator character, and --json gives back the very strings written;
 * - the viewer in a real terminal (tmux 120×32, clipboard writes enabled so that a raw OSC 52
 *   WOULD land in a tmux buffer — a control run shows that it does): the title is unchanged,
 *   no buffer appears, the layout is intact, and the sequences show as visible text — in the
 *   table and in the detail pane.
 * Needs `npm run build`, and tmux for the viewer (skipped without it; CI installs it, and fails
 * without it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/index.js';
import { CLI } from '../cli/helpers.js';
import { requireTool } from '../helpers/system-tools.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { expectInert, RAW, runRaw } from './terminal-bytes.js';
import { TmuxPane } from '../tui/tmux.js';

const tempDir = makeTempDirFactory('spa-injection');
const tmux = requireTool('tmux', { package: 'tmux', for: 'the viewer in a real terminal' });

const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const RED = '\u001b[31m';
const OSC52 = '\u001b]52;c;cHduZWQ=\u0007'; // "pwned" into the clipboard
const OSC8 = '\u001b]8;;https://evil.example/\u001b\\click me\u001b]8;;\u001b\\';
const C1 = '\u009b2J\u009d0;pwned\u009c'; // 8-bit CSI and OSC … ST
const DEL = 'a\u007fb';
const BIDI = '\u202egnp.exe';
const LINE_SEPARATOR = 'one\u2028two';
const NEWLINES = 'three\nfour\r';
const ALL = [TITLE, CLEAR, RED, OSC52, OSC8, C1, DEL, BIDI, LINE_SEPARATOR, NEWLINES].join('|');
const HUGE = `${TITLE}${'A'.repeat(1_000_000)}${OSC52}`;

/** The strings written, by entry id: what --json must give back. */
const HOSTILE = {
  id: `hostile-${TITLE}`,
  host: `h${TITLE}${CLEAR}`,
  session: `s${OSC52}${BIDI}`,
  pipeline: [
    ['echo', ALL],
    ['cat', OSC8, C1],
  ],
  resolved: [`/usr/bin/${TITLE}`, null],
  envKeys: [`X${DEL}`, `Y${LINE_SEPARATOR}`],
  reason: `r${ALL}`,
  error: `e${ALL}`,
};
const REJECTED = { id: 'huge', host: `${RED}${NEWLINES}`, session: `${LINE_SEPARATOR}${CLEAR}`, pipeline: [['printf', HUGE]], reason: `${'B'.repeat(1000)}${TITLE}`, requestError: `${'C'.repeat(5000)}${OSC52}` };

/** The visible forms of the sequences, as the escaping shows them. */
const VISIBLE = ['\\e]0;pwned\\x07', '\\e[2J', '\\e]52;c;cHduZWQ=\\x07', '\\e]8;;https://evil.example/', '\\x9b2J', '\\x7f', '\\u202egnp.exe', '\\u2028', '\\n'];

let dir = '';
let file = '';

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error('build first: npm run build');
  dir = tempDir();
  file = path.join(dir, 'audit.log');
  const warnings: string[] = [];
  // The writer's clock reads each record's own time: the screens below show known times.
  let clock = Date.parse('2026-11-01T08:00:00Z');
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), now: () => clock });
  log.request({ id: 'plain', time: '2026-11-01T08:00:00Z', host: 'web-01', session: 'ssh:alice', pipeline: [['uptime']], resolved: ['/usr/bin/uptime'], privileged: false, decision: 'approved', latencyMs: 900 });
  clock = Date.parse('2026-11-01T08:00:01Z');
  log.response({ id: 'plain', time: '2026-11-01T08:00:01Z', status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 10, durationMs: 5 });
  clock = Date.parse('2026-11-01T08:01:00Z');
  log.request({
    id: HOSTILE.id,
    time: '2026-11-01T08:01:00Z',
    host: HOSTILE.host,
    session: HOSTILE.session,
    pipeline: HOSTILE.pipeline,
    resolved: HOSTILE.resolved,
    env: HOSTILE.envKeys,
    reason: HOSTILE.reason,
    privileged: true,
    decision: 'approved',
    latencyMs: 1200,
  });
  clock = Date.parse('2026-11-01T08:01:02Z');
  log.response({ id: HOSTILE.id, time: '2026-11-01T08:01:02Z', status: 'error', error: HOSTILE.error, stages: [{ exitCode: 1, stderr: 3 }, { exitCode: 0, stderr: 0 }], stdout: 10, durationMs: 5 });
  clock = Date.parse('2026-11-01T08:02:00Z');
  log.request({ ...REJECTED, time: '2026-11-01T08:02:00Z', privileged: false, decision: 'rejected', via: 'policy', error: REJECTED.requestError });
  clock = Date.parse('2026-11-01T08:03:00Z');
  log.request({ id: 'denied', time: '2026-11-01T08:03:00Z', host: TITLE, session: OSC8, pipeline: [[`${CLEAR}rm`, '-rf', BIDI]], reason: C1, privileged: true, decision: 'denied', latencyMs: 3000 });
  log.close();
  expect(warnings).toEqual([]);
  // Nothing was cut to fit: the 1 MB argument is on disk whole, so --json must give it back whole.
  expect(fs.readFileSync(file, 'utf8')).not.toContain('"truncated":true');
});

describe('print and stats in a pipe: no sequence from a record reaches the terminal raw', () => {
  it('print (text): one line per entry, every sequence visible as an escape, the 1 MB argument capped', async () => {
    const r = await runRaw(['print', file]);
    expect(r.stderr.toString()).toBe('');
    expect(r.code).toBe(0);
    const text = expectInert(r.stdout, 'print');
    // (Lines starting with ── are the writer's events, inert too: expectInert read them all.)
    const lines = text.split('\n').slice(0, -1).filter((l) => !l.startsWith('──'));
    expect(lines).toHaveLength(5); // header + 4 entries: no raw newline or separator split a row
    expect(lines[0]).toMatch(/^TIME +HOST +SESSION +STATE/);
    for (const v of VISIBLE) expect(text).toContain(v);
    expect(lines[2]).toContain("# echo $'\\e]0;pwned\\x07|\\e[2J\\e[H|\\e[31m|");
    expect(lines[3]).toMatch(/\$ printf \$'\\e\]0;pwned\\x07A+…\[\+\d+ chars\]'?/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(3 * 4096);
  });

  it('print --json: valid JSON per entry that gives back every string as written, and nothing raw', async () => {
    const r = await runRaw(['print', '--json', file]);
    expect(r.code).toBe(0);
    const text = expectInert(r.stdout, 'print --json');
    const entries = text.split('\n').slice(0, -1).map((l) => JSON.parse(l));
    expect(entries.map((e) => e.id)).toEqual(['plain', HOSTILE.id, 'huge', 'denied']);
    expect(entries[1]).toMatchObject({
      host: HOSTILE.host,
      session: HOSTILE.session,
      pipeline: HOSTILE.pipeline,
      resolved: HOSTILE.resolved,
      env_keys: [...HOSTILE.envKeys].sort(),
      reason: HOSTILE.reason,
      error: HOSTILE.error,
      state: 'failed',
    });
    expect(entries[2]).toMatchObject({ host: REJECTED.host, session: REJECTED.session, reason: REJECTED.reason, request_error: REJECTED.requestError, state: 'rejected' });
    expect(entries[2].pipeline[0][1]).toBe(HUGE); // all 1,000,000 characters
    expect(entries[3]).toMatchObject({ host: TITLE, session: OSC8, pipeline: [[`${CLEAR}rm`, '-rf', BIDI]], reason: C1, state: 'denied' });
  });

  it('stats (text): hosts, sessions and top commands escaped', async () => {
    const r = await runRaw(['stats', file]);
    expect(r.code).toBe(0);
    const text = expectInert(r.stdout, 'stats');
    expect(text).toContain('h\\e]0;pwned\\x07\\e[2J\\e[H');
    expect(text).toContain('\\u202egnp.exe');
  });
});

describe.skipIf(!tmux.found)('the viewer in a real terminal (tmux 120×32)', () => {
  const COLUMNS = 120;
  const ROWS = 32;
  let pane: TmuxPane;

  beforeAll(() => {
    pane = new TmuxPane('spa-injection', COLUMNS, ROWS, { TZ: 'UTC', NO_COLOR: '1' });
    // A raw OSC 52 now lands in a tmux paste buffer: what the viewer must never let through.
    pane.tmux('set-option', '-s', 'set-clipboard', 'on');
  });
  afterAll(() => {
    if (!pane) return;
    const socket = pane.tmux('display-message', '-p', '#{socket_path}').trim();
    pane.kill();
    fs.rmSync(socket, { force: true }); // kill-server leaves the socket file behind
  });

  const title = () => pane.tmux('display-message', '-p', '-t', 'e2e', '#{pane_title}').trim();
  const buffers = () => pane.tmux('list-buffers').trim();
  const rows = () => pane.screen().replace(/\n$/, '').split('\n');
  /** SGR parameters of the screen's cells (capture-pane -e): colours would show a raw `\e[31m`. */
  const colourParams = () => {
    const styled = pane.tmux('capture-pane', '-p', '-e', '-t', 'e2e');
    return [...styled.matchAll(/\u001b\[([0-9;]*)m/g)].flatMap((m) => m[1].split(';')).filter((p) => /^(3[0-8]|4[0-8]|9\d|10\d)$/.test(p));
  };
  /** No sequence acted: title and clipboard untouched, nothing raw on screen, no colour. */
  const expectUntouched = (screen: string) => {
    expect(title()).toBe('clean');
    expect(buffers()).toBe('');
    expect(RAW.exec(screen.replaceAll('\n', ''))).toBeNull();
    expect(colourParams()).toEqual([]);
  };
  /** The frame's fixed rows where they belong: header on top, footer on the last-but-one row. */
  const expectFrame = (screen: string[], footer: RegExp) => {
    expect(screen).toHaveLength(ROWS);
    expect(screen[0]).toMatch(/^sudo-proxy-audit {2}audit\.log {2}/);
    expect(screen[ROWS - 2]).toMatch(footer);
    expect(screen[ROWS - 1]).toBe('');
  };

  it('a control run: raw OSC 0 and OSC 52 do change the title and fill a buffer here', async () => {
    pane.run(`printf '\\033]0;control\\007\\033]52;c;Y29udHJvbA==\\007'`);
    await pane.waitFor('the control title', () => title() === 'control');
    expect(pane.tmux('show-buffer')).toBe('control');
    pane.tmux('delete-buffer');
    pane.run(`printf '\\033]0;clean\\007'; clear`);
    await pane.waitFor('the title reset', () => title() === 'clean');
    expect(buffers()).toBe('');
  });

  it('the table: title, clipboard and layout intact, sequences shown as text', async () => {
    pane.run(`node ${CLI} view --no-follow ${file}; echo "viewer exited $?"`);
    // (The 1 MB entry puts the first three behind the first frame's tail: they come with the
    // history, and the header's counts and the writer's start row up to a second after them.)
    const loaded = (s: string) => s.includes('4/4') && s.includes('end of file') && !s.includes('indexing') && s.includes('Σ 4') && s.includes('writer started');
    const screen = await pane.waitFor('the entries, indexed', loaded, 90_000);
    const lines = screen.replace(/\n$/, '').split('\n');
    expectFrame(lines, /^\? help .* 4\/4$/);
    expect(lines[3]).toMatch(/^ {2}TIME +HOST +SESSION +STATE/);
    // The writer's start, one row per entry, its stop (the newest row, selected), right under the
    // column header, then nothing down to the footer.
    expect(lines.slice(4, 10).map((l) => l.slice(2, 16))).toEqual(['11-01 08:00:00', '11-01 08:00:00', '11-01 08:01:00', '11-01 08:02:00', '11-01 08:03:00', '11-01 08:03:00']);
    expect(lines[4]).toMatch(/┄┄ ▷ writer started · pid \d+ ┄+$/);
    expect(lines[9]).toMatch(/^› 11-01 08:03:00 ┄┄ □ writer stopped · pid \d+ ┄+$/);
    expect(lines.slice(10, ROWS - 2)).toEqual(Array(ROWS - 12).fill(''));
    expect(lines[6]).toContain("# echo $'\\e]0;pwned\\x07|\\e[2J");
    expect(lines[6]).toContain('h\\e]0;pwned');
    expect(lines[7]).toContain("$ printf $'\\e]0;pwned\\x07AAAA");
    expect(lines[8]).toMatch(/^ {2}11-01 08:03:00 \\e\]0;pwned/);
    expect(lines[8]).toContain("# $'\\e[2J\\e[Hrm' -rf $'\\u202egnp.ex");
    expectUntouched(screen);
  }, 120_000);

  it('the detail pane of the hostile entry, and of the 1 MB one: the same', async () => {
    // The oldest row is the writer's start: the hostile entry is the second entry after it.
    pane.keys('g', 'j', 'j', 'Enter');
    const detail = await pane.waitFor('the detail pane', (s) => s.includes('Pipeline (2 stages)') && /2\/4\n*$/.test(s));
    const lines = detail.replace(/\n$/, '').split('\n');
    expectFrame(lines, /^j\/k scroll .* 2\/4$/);
    const field = (name: string) => lines.find((l) => l.startsWith(`  ${name.padEnd(12)}`))?.slice(14);
    expect(field('id')).toBe('hostile-\\e]0;pwned\\x07');
    expect(field('host')).toBe('h\\e]0;pwned\\x07\\e[2J\\e[H');
    expect(field('session')).toBe('s\\e]52;c;cHduZWQ=\\x07\\u202egnp.exe');
    expect(field('env keys')).toMatch(/^Xa\\x7fb.*Yone\\u2028two/);
    expect(field('reason')).toMatch(/^r\\e\]0;pwned\\x07\|\\e\[2J\\e\[H\|\\e\[31m\|\\e\]52;c;cHduZWQ=\\x07\|/);
    expect(detail).toContain("cat $'\\e]8;;https://evil.example/\\e\\\\click me\\e]8;;\\e\\\\' $'\\x9b2J\\x9d0;pwned\\x9c'");
    expect(detail).toContain('resolved /usr/bin/\\e]0;pwned\\x07');
    expectUntouched(detail);

    pane.keys(']');
    const huge = await pane.waitFor('the 1 MB entry', (s) => s.includes('⊗ rejected  $ huge') && /3\/4\n*$/.test(s));
    const hugeLines = huge.replace(/\n$/, '').split('\n');
    expectFrame(hugeLines, /^j\/k scroll .* 3\/4$/);
    expect(huge).toContain('B\\e]0;pwned\\x07');
    expect(huge).toMatch(/↓ \d+ more lines/);
    expectUntouched(huge);

    pane.keys('Escape', 'q');
    await pane.waitFor('the shell again', (s) => s.includes('viewer exited 0'));
    expect(pane.alternateScreenOn()).toBe(false);
    expect(title()).toBe('clean');
    expect(buffers()).toBe('');
  }, 120_000);

  it('a log whose file name holds the sequences: the header and the detail pane name it escaped', async () => {
    const named = path.join(tempDir(), `log${TITLE}${OSC52}${C1}${BIDI}`);
    fs.copyFileSync(file, named);
    const shownName = 'log\\e]0;pwned\\x07\\e]52;c;cHduZWQ=\\x07\\x9b2J\\x9d0;pwned\\x9c\\u202egnp.exe';
    // The shell's glob passes the name as it is on disk.
    pane.run(`clear; node ${CLI} view --no-follow ${path.dirname(named)}/*; echo "viewer exited $?"`);
    const screen = await pane.waitFor('the entries, indexed', (s) => s.includes('4/4') && s.includes('end of file') && !s.includes('indexing'), 90_000);
    expect(rows()[0]).toMatch(/^sudo-proxy-audit {2}log\\e\]0;pwned\\x07/);
    // Whole, or cut to leave room for the chain badge while it is longer ("checking"); the
    // detail pane below has it whole.
    expect([shownName, `${shownName.slice(0, 31)}…`].some((name) => rows()[0].includes(`  ${name}  `))).toBe(true);
    expectUntouched(screen);
    pane.keys('g', 'j', 'Enter');
    expectUntouched(await pane.waitFor('the detail pane', (s) => s.includes('Request') && /1\/4\n*$/.test(s)));
    // The pane's end, its Records section, however long the fields above it are (who decided, …).
    pane.keys('G');
    const detail = await pane.waitFor('its records', (s) => s.split('\n').some((l) => l.startsWith('  request ')));
    const request = detail.split('\n').find((l) => l.startsWith('  request '));
    expect(request).toContain(`${shownName}:`);
    expectUntouched(detail);
    pane.keys('Escape', 'q');
    await pane.waitFor('the shell again', (s) => s.includes('viewer exited 0'));
    expect(title()).toBe('clean');
    expect(buffers()).toBe('');
  }, 120_000);
});
