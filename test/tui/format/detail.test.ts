import '../tz.js';
import { describe, expect, it } from 'vitest';
import { detailLines } from '../../../src/tui/format/detail.js';
import { lineText } from '../../../src/tui/format/spans.js';
import { displayWidth } from '../../../src/tui/format/text.js';
import { BASE_MS, entryInState, makeEntry } from '../entries.js';
import { HOSTILE, RAW_CONTROL } from '../hostile.js';

const text = (e: ReturnType<typeof makeEntry>, width = 80, now = BASE_MS) => detailLines(e, width, now).map(lineText);

describe('detail pane content', () => {
  it('has every field of a completed entry', () => {
    const e = entryInState('failed', { key: 7, host: 'db-primary', session: 'ssh:alice', envKeys: ['HOME', 'PATH'] });
    const all = text(e).join('\n');
    for (const expected of [
      '✗ failed  # 00000000-0000-4000-8000-000000000007',
      'time        2026-11-26 08:07:00.000 +00:00  (sent as 2026-11-26T08:07:00Z)',
      'host        db-primary',
      'session     ssh:alice',
      'reason      apply the new vhost config',
      'privileged  yes (#)',
      'decision    approved by the operator after 4.2s',
      'env keys    HOME PATH',
      'Pipeline (2 stages)',
      '[1]         journalctl -u ssh',
      'resolved /usr/bin/journalctl',
      'exit 1 · stderr 312 B',
      'completed   2026-11-26 08:07:05.000 +00:00',
      'status      ok',
      'exit codes  0 | 1',
      'duration    25s',
      'stdout      2,000,000 B (truncated: more was produced)',
      'request     /var/log/sudo-proxy/audit.log:14  (seq 14, byte 2800)',
      'response    /var/log/sudo-proxy/audit.log:15  (seq 15, byte 3190)',
    ]) {
      expect(all).toContain(expected);
    }
  });

  it('shows the writer\'s time and the time as sent, and flags a sent time far from the writer\'s', () => {
    const logged = new Date(BASE_MS).toISOString();
    const far = text(makeEntry({ timeMs: BASE_MS, logged, time: '2001-01-01T00:00:00Z' })).join('\n');
    expect(far).toContain('logged      2026-11-26 08:00:00.000 +00:00\n');
    expect(far).toMatch(/sent as {5}2001-01-01T00:00:00Z {2}\(.+ before the writer's time\)/);
    const ahead = text(makeEntry({ timeMs: BASE_MS, logged, time: new Date(BASE_MS + 61_000).toISOString() })).join('\n');
    expect(ahead).toContain(`(1m01s after the writer's time)`);
    const close = text(makeEntry({ timeMs: BASE_MS, logged, time: new Date(BASE_MS - 59_000).toISOString() })).join('\n');
    expect(close).toContain(`logged      2026-11-26 08:00:00.000 +00:00  (sent as ${new Date(BASE_MS - 59_000).toISOString()})`);
    expect(close).not.toContain('sent as   ');
    const garbage = text(makeEntry({ timeMs: BASE_MS, logged, time: 'not a time' })).join('\n');
    expect(garbage).toContain('sent as     not a time  (not a valid time)');
  });

  it('flags by the threshold it is given', () => {
    const entry = makeEntry({ timeMs: BASE_MS, logged: new Date(BASE_MS).toISOString(), time: new Date(BASE_MS - 30_000).toISOString() });
    expect(detailLines(entry, 80, BASE_MS).map(lineText).join('\n')).not.toContain('before the writer\'s time');
    expect(detailLines(entry, 80, BASE_MS, 10_000).map(lineText).join('\n')).toContain('(30s before the writer\'s time)');
  });

  it('says when a record has no writer time (an older record): its time is the client\'s', () => {
    const all = text(makeEntry({ timeMs: BASE_MS, logged: null })).join('\n');
    expect(all).toContain('time as sent by the client (no writer time)');
    expect(all).not.toContain('logged');
  });

  it('explains decisions that did not run, and a running entry', () => {
    expect(text(entryInState('timeout')).join('\n')).toContain('nobody answered the prompt (gave up after 1m00s)');
    expect(text(entryInState('rejected')).join('\n')).toContain('rejected before any prompt: command not in the allow-list');
    const running = entryInState('running', { timeMs: BASE_MS, latencyMs: 1_000 });
    expect(text(running, 80, BASE_MS + 61_000).join('\n')).toContain('running     for 1m00s…');
    expect(text(makeEntry({ status: 'error', error: 'execution timed out after 300s' })).join('\n')).toContain(
      'status      error: execution timed out after 300s',
    );
  });

  it('lists anomalies with an explanation', () => {
    const orphan = makeEntry({ decision: null, via: null, pipeline: [], anomalies: ['orphan-response'], request: null });
    const all = text(orphan).join('\n');
    expect(all).toContain('orphan-response');
    expect(all).toContain('request     (none)');
    expect(all).toContain('(the request is not in the files read)');
  });

  it('wraps the full argv to the width and escapes every string', () => {
    const e = makeEntry({
      pipeline: [['sh', '-c', `${HOSTILE.csi} ${'x'.repeat(300)}`], ['tee', HOSTILE.lineSeparator]],
      reason: HOSTILE.bidi + HOSTILE.c1,
      host: HOSTILE.osc,
      envKeys: [HOSTILE.del],
      error: HOSTILE.newline,
      status: 'error',
    });
    const lines = text(e, 60);
    for (const line of lines) {
      expect(displayWidth(line)).toBeLessThanOrEqual(60);
      expect(line).not.toMatch(RAW_CONTROL);
    }
    const all = lines.join('');
    expect(all).toContain("sh -c $'\\e[2J\\e[31mred");
    expect(all).toContain('\\u202egnp.exe\\x9b31m');
    expect(all).toContain('\\e]0;pwned\\x07');
    expect(all.replace(/ /g, '')).toContain('x'.repeat(300));
  });

  /** The pane's values without their labels, wrapped lines joined again. */
  const values = (lines: string[]) => lines.map((l) => l.slice(14)).join('');

  it('caps a huge argument and says, once and exactly, how much was left out', () => {
    const lines = text(makeEntry({ pipeline: [['x'.repeat(1_000_000)]] }), 100);
    expect(lines.length).toBeLessThan(300);
    const all = values(lines);
    expect(all).toContain(`${'x'.repeat(16_384)}…[+983616 chars]`);
    expect(all.match(/chars\]|characters/g)).toEqual(['chars]']);
  });

  it('counts what is hidden of a command cut after several words, with the words before it', () => {
    // 2 + 1 + 2 + 1 + 100,010 characters; 16,384 shown: 'sh -c ' and 16,378 of the script.
    const all = values(text(makeEntry({ pipeline: [['sh', '-c', `${'y'.repeat(100_000)}; rm -rf /`]] }), 100));
    expect(all.replace(/ /g, '')).toContain(`sh-c${'y'.repeat(16_378)}…[+83632chars]`); // wrapped at the spaces
    expect(all.match(/chars\]|characters/g)).toEqual(['chars]']);
  });

  it('shows where a collected entry came from just before its own host label, escaped', () => {
    const lines = text(makeEntry({ origin: 'db-1', host: 'web-01' }));
    const at = lines.findIndex((l) => l.startsWith('  origin '));
    expect(lines[at]).toBe('  origin      db-1');
    expect(lines[at + 1]).toBe('  host        web-01');
    const hostile = text(makeEntry({ origin: HOSTILE.csi })).join('\n');
    expect(hostile).not.toMatch(RAW_CONTROL);
    expect(hostile).toContain('origin      \\e[2J\\e[31mred');
  });

  it('has no origin line for an entry read from a file directly', () => {
    expect(text(makeEntry({ origin: '' })).some((l) => l.trimStart().startsWith('origin'))).toBe(false);
  });
});
