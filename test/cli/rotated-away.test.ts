/**
 * Right after the README's logrotate configuration (`nocreate`, `compress`, `delaycompress`)
 * rotates the log, there is no `audit.log` until the writer's next record. The witness cron
 * (`verify --history --json`, later `--expect-head`) runs at any moment, so a rotated set
 * without its live file must read as the history it is: on the default log, on a named live
 * file, and as the `audit.log.*` files named in any order.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { openAuditLog } from '../../src/writer/index.js';
import { rotateLikeLogrotate } from '../helpers/rotate.js';
import { cliEnv, collect, linesOf, makeTempDirFactory, openLog, request, response, runCli, spawnCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-rotated-away');

/** Enough rotations for two-digit numbers: shell-glob order (`.1 .10.gz .11.gz .2.gz …`) is not age order. */
const ROTATIONS = 11;
const IDS = Array.from({ length: ROTATIONS + 1 }, (_, round) => [`r${round}-a`, `r${round}-b`]).flat();

let stateHome: string;
let live: string;
/** What the witness cron kept before the last rotation: the head of the then live file. */
let witnessedHead: string;
let records: number;
/** The rotated files as a shell expands `audit.log.*` (and `audit.log*`, the live file being gone). */
let globbed: string[];

beforeAll(async () => {
  stateHome = tempDir();
  live = path.join(stateHome, 'sudo-proxy', 'audit.log');
  fs.mkdirSync(path.dirname(live), { recursive: true });
  // rotationCheckMs 0: every append notices the rename that came before it.
  const log = openAuditLog({ path: live, rotationCheckMs: 0, warn: (m) => expect.fail(m) });
  for (let round = 0; round <= ROTATIONS; round++) {
    if (round > 0) rotateLikeLogrotate(live, { delaycompress: true });
    for (const id of IDS.filter((i) => i.startsWith(`r${round}-`))) {
      log.request(request({ id, time: `2026-11-01T08:${String(round).padStart(2, '0')}:00Z` }));
      log.response(response(id, { time: `2026-11-01T08:${String(round).padStart(2, '0')}:01Z` }));
    }
  }
  log.close();

  const before = await runCli(['verify', '--history', '--json'], { env: cliEnv({ XDG_STATE_HOME: stateHome }) });
  expect(before.code).toBe(0);
  const verdict = JSON.parse(before.stdout) as { ok: boolean; head: string; records: number };
  expect(verdict.ok).toBe(true);
  witnessedHead = verdict.head;
  records = verdict.records;
  const liveLines = linesOf(fs.readFileSync(live, 'utf8'));
  expect(witnessedHead).toBe(hashLine(liveLines[liveLines.length - 1]));

  // The nightly rotation; the daemon has not written since.
  rotateLikeLogrotate(live, { delaycompress: true });
  expect(fs.existsSync(live)).toBe(false);
  globbed = fs
    .readdirSync(path.dirname(live))
    .filter((n) => n.startsWith('audit.log.'))
    .sort()
    .map((n) => path.join(path.dirname(live), n));
  expect(globbed.map((p) => path.basename(p)).slice(0, 4)).toEqual(['audit.log.1', 'audit.log.10.gz', 'audit.log.11.gz', 'audit.log.12.gz']);
});

/** The one line on stderr saying the live file is missing and its history is read. */
const rotatedAwayNote = (file: string) => new RegExp(`^sudo-proxy-audit: ${escapeRe(file)}: not there \\(rotated away; the writer creates it with its next record\\): reading its ${ROTATIONS + 1} rotated files\\n$`);

const ok = () => `ok: ${records} records, head ${witnessedHead}\n`;

describe.concurrent('a rotated set whose live file was rotated away (logrotate nocreate)', () => {
  it('verify --history on the default log: ok, the whole chain, one line on stderr saying so', async () => {
    const r = await runCli(['verify', '--history'], { env: cliEnv({ XDG_STATE_HOME: stateHome }) });
    expect(r.stderr).toMatch(rotatedAwayNote(live));
    expect(r.stdout).toBe(ok());
    expect(r.code).toBe(0);
  });

  it('verify --history on the live file named: the same', async () => {
    const r = await runCli(['verify', '--history', live]);
    expect(r.stderr).toMatch(rotatedAwayNote(live));
    expect(r.stdout).toBe(ok());
    expect(r.code).toBe(0);
  });

  it('the witness cron: --expect-head with the head kept before the rotation is ok, and --json says which files', async () => {
    const r = await runCli(['verify', '--history', '--json', '--expect-head', witnessedHead], { env: cliEnv({ XDG_STATE_HOME: stateHome }) });
    expect(r.code).toBe(0);
    const verdict = JSON.parse(r.stdout) as { ok: boolean; head: string; records: number; files: string[] };
    expect(verdict).toMatchObject({ ok: true, head: witnessedHead, records });
    expect(verdict.files).toHaveLength(ROTATIONS + 1);
    expect(verdict.files.at(-1)).toBe(`${live}.1`);
    expect(r.stderr).toMatch(rotatedAwayNote(live));
  });

  it('the witness still checks the newest record in the set: lines cut off the newest rotated file are a deletion', async () => {
    const dir = tempDir();
    for (const p of globbed) fs.copyFileSync(p, path.join(dir, path.basename(p)));
    const newest = path.join(dir, 'audit.log.1');
    const lines = linesOf(fs.readFileSync(newest, 'utf8'));
    fs.writeFileSync(newest, lines.slice(0, -2).map((l) => `${l}\n`).join(''));
    const r = await runCli(['verify', '--history', '--expect-head', witnessedHead, path.join(dir, 'audit.log')]);
    expect(r.stdout).toMatch(new RegExp(`^break at .+:\\d+ \\(deleted\\): the expected head ${witnessedHead.slice(0, 16)}… is not in the log`));
    expect(r.code).toBe(1);
    // And given as audit.log.*, with the live file gone: the same verdict, not a false "reordered".
    const named = await runCli(['verify', '--expect-head', witnessedHead, ...globbed.map((p) => path.join(dir, path.basename(p)))]);
    expect(named.stdout).toBe(r.stdout);
    expect(named.code).toBe(1);
  });

  it.each([
    ['in shell-glob order', (files: string[]) => files],
    ['in reverse order', (files: string[]) => [...files].reverse()],
  ])('verify audit.log.* %s: put oldest first by rotation number, ok (no false "reordered")', async (_, order) => {
    const r = await runCli(['verify', '--expect-head', witnessedHead, ...order(globbed)]);
    expect(r.stdout).toBe(ok());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('print --history and stats --history on the default log read the rotated files', async () => {
    const env = cliEnv({ XDG_STATE_HOME: stateHome });
    const printed = await runCli(['print', '--history', '--json'], { env });
    expect(printed.stderr).toMatch(rotatedAwayNote(live));
    expect(printed.code).toBe(0);
    expect(linesOf(printed.stdout).map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(IDS);
    const stats = await runCli(['stats', '--history', '--json'], { env });
    expect(stats.stderr).toMatch(rotatedAwayNote(live));
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ total: IDS.length });
  });

  it('print -f --history on the live file named: prints the history, then waits for the writer to make the live file', async () => {
    const dir = tempDir();
    for (const p of globbed) fs.copyFileSync(p, path.join(dir, path.basename(p)));
    const child = spawnCli(['print', '-f', '--history', '--json', path.join(dir, 'audit.log')]);
    const done = collect(child);
    expect(await stdoutIds(child, IDS.length)).toEqual(IDS);
    openLog(path.join(dir, 'audit.log'), [{ request: { id: 'after-rotation', time: '2026-11-02T08:00:00Z', decision: 'denied' } }]).close();
    expect(await stdoutIds(child, 1)).toEqual(['after-rotation']);
    child.kill('SIGTERM');
    const r = await done;
    // The engine's notice, as for the default log before its first record.
    expect(r.stderr).toBe(`sudo-proxy-audit: ${path.join(dir, 'audit.log')} does not exist (yet, or rotated away): waiting for it\n`);
    expect(r.code).toBe(0);
  });

  it('without --history the missing live file is still an error: nothing else was asked for', async () => {
    const r = await runCli(['verify', live]);
    expect(r.stderr).toBe(`sudo-proxy-audit verify: ${live}: no such file\n`);
    expect(r.code).toBe(2);
  });
});

/** The ids of the next `n` JSON lines on the child's stdout; rejects if it exits first. */
function stdoutIds(child: ChildProcess, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n').slice(0, -1);
      if (lines.length < n) return;
      child.stdout?.off('data', onData);
      resolve(lines.slice(0, n).map((l) => (JSON.parse(l) as { id: string }).id));
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) after ${JSON.stringify(buffered)}`)));
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
