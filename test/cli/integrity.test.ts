/**
 * `print` and `stats` tell the same story as `verify` and the writer's records (issue #13): a
 * modified line, a deleted line, a forged line appended while `print -f` follows, an ENOSPC
 * gap, a SIGKILLed writer that restarts, and a clean stop with entries running.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answeredLog, deleteLine, enospcLog, linesOf as fileLines, modifyLine } from '../helpers/integrity-logs.js';
import { openAuditLog } from '../../src/writer/index.js';
import { runWriter, sampleRequest, spawnWriter, waitForExit, waitForLine } from '../writer/helpers.js';
import { collect, linesOf, makeTempDirFactory, runCli, spawnCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-integrity');

const json = (text: string) => linesOf(text).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a modified line', () => {
  it('print: a CHAIN BROKEN line just before its entry, a closing warning, exit 1 with --strict', async () => {
    const file = answeredLog(tempDir(), 10);
    modifyLine(file, 8); // req-4's request: denied instead of approved
    const verify = await runCli(['verify', file]);
    expect(verify.code).toBe(1);
    const r = await runCli(['print', '--no-header', file]);
    expect(r.code).toBe(0);
    const lines = linesOf(r.stdout);
    const at = lines.findIndex((l) => l.startsWith('── CHAIN BROKEN (modified)'));
    expect(lines[at]).toContain(`at ${file}:8: ${file}:8 (seq 8) was modified`);
    expect(lines[at + 1]).toMatch(/denied/); // the entry of the line it names
    expect(linesOf(r.stderr).at(-1)).toMatch(/^sudo-proxy-audit: warning: the hash chain is broken \(1 break\)/);
    expect((await runCli(['print', '--strict', file])).code).toBe(1);
  });

  it('print --json: unchanged; --events adds the break and the writer events in place', async () => {
    const file = answeredLog(tempDir(), 10);
    modifyLine(file, 8);
    const plain = json((await runCli(['print', '--json', file])).stdout);
    expect(plain.every((o) => !('event' in o))).toBe(true);
    expect(plain).toHaveLength(10);
    const withEvents = json((await runCli(['print', '--json', '--events', file])).stdout);
    expect(withEvents.map((o) => (o.event ? `${o.event}:${o.kind}` : o.id))).toEqual([
      'writer:start',
      'req-1',
      'req-2',
      'req-3',
      'chain_break:modified',
      'req-4',
      'req-5',
      'req-6',
      'req-7',
      'req-8',
      'req-9',
      'req-10',
      'writer:stop',
    ]);
    expect(withEvents[4]).toEqual({ event: 'chain_break', kind: 'modified', file, line: 8, message: expect.stringContaining('was modified'), origin: '' });
  });

  it('stats: the verdict, and --strict exits 1', async () => {
    const file = answeredLog(tempDir(), 10);
    modifyLine(file, 8);
    const text = await runCli(['stats', file]);
    expect(text.stdout).toMatch(new RegExp(`^Hash chain: +BROKEN: 1 break; first: modified at ${file.replace(/[.\\/]/g, '\\$&')}:8$`, 'm'));
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(s.chain).toMatchObject({ state: 'broken', break_count: 1, breaks: [{ kind: 'modified', file, line: 8 }] });
    expect((await runCli(['stats', '--strict', file])).code).toBe(1);
  });
});

describe('a deleted line', () => {
  it('print and stats name the deletion where verify does', async () => {
    const file = answeredLog(tempDir(), 10);
    deleteLine(file, 9);
    const r = await runCli(['print', '--no-header', file]);
    expect(r.stdout).toMatch(/^── CHAIN BROKEN \(deleted\) at .*:9: 1 record \(seq 9\) missing between .*:8 and .*:9$/m);
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(s.chain).toMatchObject({ state: 'broken', breaks: [{ kind: 'deleted', line: 9 }] });
  });
});

describe('a forged line appended while following', () => {
  it('print -f prints the break as it is found, and warns on the way out', async () => {
    const file = answeredLog(tempDir(), 5);
    const child = spawnCli(['print', '-f', '--no-header', file]);
    const done = collect(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('writer stopped'));
    const last = fileLines(file).at(-1) as string;
    const seq = (JSON.parse(last) as { seq: number }).seq;
    fs.appendFileSync(file, `${last.replace(`"seq":${seq}`, `"seq":${seq + 1}`)}\n`);
    await waitFor(() => out.includes('CHAIN BROKEN'));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).find((l) => l.includes('CHAIN BROKEN'))).toContain(`(modified) at ${file}:${fileLines(file).length - 1}`);
    expect(r.stderr).toMatch(/warning: the hash chain is broken/);
  });
});

describe('an ENOSPC gap', () => {
  it('print shows the GAP in place; stats counts the dropped records; --strict fails', async () => {
    const file = enospcLog(tempDir(), 5);
    const r = await runCli(['print', '--no-header', file]);
    const lines = linesOf(r.stdout);
    const gap = lines.findIndex((l) => / GAP: 5 records dropped by the writer \(pid \d+\): .*ENOSPC/.test(l));
    // Between req-1 (written before the disk filled) and req-7 (after): the only two entries.
    expect(lines.map((l) => (l.startsWith('──') ? l.replace(/^── \S+ \S+ /, '').split(' ')[0] : 'entry'))).toEqual(['writer', 'entry', 'GAP:', 'entry', 'writer']);
    expect(gap).toBe(2);
    expect(r.stderr).toBe(''); // the chain itself is intact
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(s).toMatchObject({ dropped_records: 5, gaps: 1, chain: { state: 'intact' } });
    expect((await runCli(['stats', file])).stdout).toMatch(/^Dropped records: +5 \(in 1 gap: the writer could not write them\)$/m);
    expect((await runCli(['stats', '--strict', file])).code).toBe(1);
    const events = json((await runCli(['print', '--json', '--events', file])).stdout).filter((o) => o.event);
    expect(events.find((o) => o.kind === 'dropped')).toMatchObject({ event: 'writer', dropped: 5, first_time: null, last_time: null, after_crash: null });
  });
});

describe('a SIGKILLed writer that restarts', () => {
  it('print marks the restart as after a crash; stats counts the crash', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const child = spawnWriter('loop', file, 'k', 10);
    await waitForLine(child, 'ready');
    child.kill('SIGKILL');
    await waitForExit(child);
    await runWriter('count', file, 'r', 2);
    const r = await runCli(['print', '--no-header', file]);
    const lines = linesOf(r.stdout);
    const restart = lines.findIndex((l) => l.includes('after a crash'));
    expect(lines[restart]).toMatch(/^── .* writer started \(pid \d+\) by .+ at .+ after a crash: the writer before it never stopped$/);
    expect(lines.slice(restart + 1).filter((l) => !l.startsWith('──'))).toHaveLength(2); // r-0, r-1
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(s.writer).toEqual({ starts: 2, stops: 1, crashes: 1 });
  });
});

describe('a clean stop with entries running', () => {
  it('they are interrupted at once: stats counts them, print shows the stop after them', async () => {
    // A request approved and never answered, then the stop.
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    log.request(sampleRequest(1));
    log.close();
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(s).toMatchObject({ interrupted: 1, by_state: { running: 1 }, writer: { starts: 1, stops: 1, crashes: 0 } });
    const out = linesOf((await runCli(['print', '--no-header', file])).stdout);
    expect(out.map((l) => (l.startsWith('──') ? l.replace(/^── \S+ \S+ /, '') : 'entry'))).toEqual([
      expect.stringMatching(/^writer started/),
      'entry',
      expect.stringMatching(/^writer stopped/),
    ]);
  });
});

async function waitFor(ok: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
