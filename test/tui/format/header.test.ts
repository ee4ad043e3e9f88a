import { describe, expect, it } from 'vitest';
import type { EntryStats } from '../../../src/shared/entry.js';
import { computeStats, factsOf } from '../../shared/oracles/entry-query.js';
import { countsLine, filesLabel, type HeaderInput, metricsLine, titleLine } from '../../../src/tui/format/header.js';
import { lineText } from '../../../src/tui/format/spans.js';
import { displayWidth } from '../../../src/tui/format/text.js';
import { entryInState } from '../entries.js';

const stats = (): EntryStats =>
  computeStats(['running', 'ok', 'ok', 'failed', 'denied', 'timeout', 'rejected'].map((s) => factsOf(entryInState(s as 'ok'))));

const input = (over: Partial<HeaderInput> = {}): HeaderInput => ({
  title: 'sudo-proxy-audit',
  files: ['/var/log/sudo-proxy/audit.log'],
  live: true,
  follow: true,
  unseen: 0,
  filter: [],
  search: null,
  stats: stats(),
  malformedCount: 0,
  width: 80,
  ...over,
});

describe('title line', () => {
  it('says what is followed and whether it is live, paused with N new, or a static file', () => {
    expect(lineText(titleLine(input()))).toContain('audit.log  ● live');
    expect(lineText(titleLine(input({ follow: false, unseen: 12 })))).toContain('‖ paused · 12 new');
    expect(lineText(titleLine(input({ live: false })))).toContain('■ end of file');
  });

  it('says the zone its times are in (UTC under --utc), left out first when the line is short', () => {
    expect(lineText(titleLine(input({ zone: 'times UTC-05:00' })))).toContain('● live  times UTC-05:00');
    expect(lineText(titleLine(input({ zone: 'UTC' })))).toMatch(/● live {2}UTC$/);
    expect(lineText(titleLine(input({ zone: 'times UTC-05:00', width: 50 })))).toBe('sudo-proxy-audit  audit.log  ● live');
  });

  it('keeps the chain badge: a long file name is cut for it, a break keeps its file:line before the name goes', () => {
    const files = [`/var/log/${'x'.repeat(70)}.log`];
    const checking = { state: 'checking', checked: 5_000, total: 10_000, unchained: 0, unchecked: 0, breaks: [], breakCount: 0 } as const;
    const line = lineText(titleLine(input({ files, width: 100, chain: checking })));
    expect(line).toBe(`sudo-proxy-audit  ${'x'.repeat(31)}…  ● live  … chain checking 5,000/10,000`);
    const broken = { ...checking, state: 'broken', breakCount: 1, breaks: [{ kind: 'deleted', file: '/l/a.log', line: 9, message: '', origin: 'db-1', entryKey: 1 }] } as const;
    expect(lineText(titleLine(input({ files, width: 60, chain: broken })))).toBe('sudo-proxy-audit  ● live  ✗ BROKEN deleted db-1 a.log:9');
  });

  it('puts the filter and search on the right, and drops the file name before them when narrow', () => {
    const wide = lineText(titleLine(input({ width: 160, filter: ['problems', 'host web-01'], search: 'nginx' })));
    expect(wide).toMatch(/● live +filter: problems · host web-01  \/nginx$/);
    expect(displayWidth(wide)).toBe(160);
    const narrow = lineText(titleLine(input({ width: 60, filter: ['denied+timeout', 'session claude-7f3c'] })));
    expect(narrow).not.toContain('audit.log');
    expect(narrow).toContain('● live');
    expect(displayWidth(narrow)).toBeLessThanOrEqual(60);
  });

  it('names a rotated set by its live file and how many older ones', () => {
    expect(filesLabel(['/l/audit.log.2.gz', '/l/audit.log.1', '/l/audit.log'])).toBe('audit.log +2 older');
  });

  it('escapes the file name and the title (the demo puts its log path there)', () => {
    const line = lineText(titleLine(input({ title: 'demo daemon → /tmp/\u001b]0;pwned\u0007\u202e', files: ['/l/a\u001b[2J\u009b.log'], width: 160 })));
    expect(line).toBe('demo daemon → /tmp/\\e]0;pwned\\x07\\u202e  a\\e[2J\\x9b.log  ● live');
  });
});

describe('title line for a collector directory', () => {
  it('names the fleet by its size instead of a file, and says how many duplicate lines were dropped', () => {
    expect(lineText(titleLine(input({ origins: 12 })))).toBe('sudo-proxy-audit  12 hosts  ● live');
    expect(lineText(titleLine(input({ origins: 1 })))).toBe('sudo-proxy-audit  1 host  ● live');
    expect(lineText(titleLine(input({ origins: 12, duplicateLines: 3 })))).toBe('sudo-proxy-audit  12 hosts · 3 duplicate lines dropped  ● live');
    expect(lineText(titleLine(input({ origins: 12, duplicateLines: 1 })))).toContain('1 duplicate line dropped');
    expect(lineText(titleLine(input({ duplicateLines: 2 })))).toBe('sudo-proxy-audit  audit.log · 2 duplicate lines dropped  ● live');
  });

  it('shortens the duplicate count, then drops the host count, then both, before the filter and the live state', () => {
    const filtered = (width: number) => lineText(titleLine(input({ width, origins: 100, duplicateLines: 1_234, filter: ['origin web-01'] })));
    expect(filtered(100)).toMatch(/^sudo-proxy-audit {2}100 hosts · 1234 duplicate lines dropped {2}● live +filter: origin web-01$/);
    expect(filtered(80)).toMatch(/^sudo-proxy-audit {2}100 hosts · 1234 dups dropped {2}● live +filter: origin web-01$/);
    expect(filtered(70)).toMatch(/^sudo-proxy-audit {2}1234 dups dropped {2}● live +filter: origin web-01$/);
    expect(filtered(60)).toMatch(/^sudo-proxy-audit {2}● live +filter: origin web-01$/);
    for (const width of [60, 70, 80, 100]) expect(displayWidth(filtered(width))).toBe(width);
  });
});

describe('counts line', () => {
  it('has a count, symbol and word per state when it fits', () => {
    expect(lineText(countsLine(input({ width: 160 })))).toBe('▶ 1 running  ✓ 2 ok  ✗ 1 failed  ⊘ 1 denied  ◷ 1 timeout  ⊗ 1 rejected  Σ 7');
  });

  it('compacts big numbers, then drops the words, to fit 80 columns', () => {
    const big = { ...stats(), total: 1_234_567, byState: { running: 12, ok: 1_000_000, failed: 120_000, denied: 80_000, timeout: 30_000, rejected: 4_555 } };
    const line = lineText(countsLine(input({ stats: big })));
    expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(line).toContain('✓ 1.0M');
    expect(line).toContain('Σ 1.2M');
  });

  it('says "of N" when the counts are of a filter, N the entries read', () => {
    expect(lineText(countsLine(input({ width: 160, of: 340 })))).toMatch(/ Σ 7 of 340$/);
    const big = { ...stats(), total: 1_234_567 };
    expect(lineText(countsLine(input({ stats: big, of: 9_876_543 })))).toMatch(/Σ 1.2M of 9.9M$/);
  });

  it('counts a running entry whose writer went away (halted) as halted, not as running', () => {
    const base = stats();
    const halted = { ...base, total: 9, byState: { ...base.byState, running: 3 }, anomalies: { ...base.anomalies, interrupted: 2 } };
    expect(lineText(countsLine(input({ stats: halted, width: 160 })))).toBe('▶ 1 running  ↯ 2 halted  ✓ 2 ok  ✗ 1 failed  ⊘ 1 denied  ◷ 1 timeout  ⊗ 1 rejected  Σ 9');
    const narrow = lineText(countsLine(input({ stats: halted, width: 40 })));
    expect(narrow).toContain('▶ 1 ↯ 2 ✓ 2');
    expect(displayWidth(narrow)).toBeLessThanOrEqual(40);
  });

  it('says it is counting before the first stats', () => {
    expect(lineText(countsLine(input({ stats: null })))).toBe('counting…');
  });
});

describe('metrics line', () => {
  it('shows latency and duration percentiles, the sparkline and the malformed count within the width', () => {
    for (const width of [80, 120, 160]) {
      const line = lineText(metricsLine(input({ width, malformedCount: 3 })));
      expect(displayWidth(line), String(width)).toBeLessThanOrEqual(width);
      expect(line).toContain('3 malformed (m)');
      expect(line).toMatch(/4\.2s/);
      expect(line).toMatch(/\/min/);
    }
    expect(lineText(metricsLine(input({ width: 160 })))).toContain('latency p50 4.2s p95 1m00s · duration p50 900ms p95 25s');
  });

  it('squeezes the whole span of a file into the sparkline when not live', () => {
    const line = lineText(metricsLine(input({ width: 100, live: false })));
    expect(line).toMatch(/ over \d/);
    expect(line).not.toMatch(/\/min/);
  });

  it('says so when there are no requests yet', () => {
    expect(lineText(metricsLine(input({ stats: null })))).toContain('no requests yet');
  });
});
