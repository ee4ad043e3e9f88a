/** The viewer's words for issue #15: a policy change's row and detail, a replay's detail, who decided, the header's count. */
import '../tz.js';
import { describe, expect, it } from 'vitest';
import type { Operator, WriterEvent } from '../../../src/shared/entry.js';
import { entryCells } from '../../../src/tui/format/cells.js';
import { layoutColumns } from '../../../src/tui/format/columns.js';
import { detailLines } from '../../../src/tui/format/detail.js';
import { headerLines, securityCount } from '../../../src/tui/format/header.js';
import { integrityLines } from '../../../src/tui/format/integrity.js';
import { markDetailLines } from '../../../src/tui/format/mark-detail.js';
import { markSpans } from '../../../src/tui/format/mark-row.js';
import { lineText } from '../../../src/tui/format/spans.js';
import type { Mark } from '../../../src/tui/store/rows.js';
import { computeStats, factsOf } from '../../shared/oracles/entry-query.js';
import { BASE_MS, makeEntry } from '../entries.js';
import { HOSTILE, RAW_CONTROL } from '../hostile.js';

const ctx = { nowMs: BASE_MS, timeStyle: 'time' as const };
const ALICE: Operator = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };

const policy = (extra: Partial<WriterEvent> = {}): Mark => ({
  kind: 'writer',
  at: 1,
  event: {
    event: 'policy',
    time: '2026-11-26T08:01:00.000Z',
    pid: 0,
    dropped: 0,
    error: null,
    operator: ALICE,
    policy: { setting: 'confirm_unprivileged', old: true, new: false, requestId: 'req-1', by: 'keypress' },
    location: { file: '/l/audit.log', line: 3, offset: 0, length: 1, seq: 3 },
    ...extra,
  },
});

const text = (lines: ReturnType<typeof detailLines>) => lines.map(lineText).join('\n');

describe('a policy change', () => {
  it('is a row saying what changed and who changed it', () => {
    expect(lineText(markSpans(policy(), 120, ctx))).toMatch(
      /^08:01:00 ┄┄ ⚑ POLICY CHANGED confirm_unprivileged: true → false by alice \(uid 1000\) on \/dev\/pts\/3 at build-01 ┄+$/,
    );
  });

  it('has a detail pane: the setting, old and new, the request, who decided, and why it is a security event', () => {
    const t = text(markDetailLines(policy(), 100, BASE_MS));
    expect(t).toMatch(/setting +confirm_unprivileged/);
    expect(t).toMatch(/was +true/);
    expect(t).toMatch(/now +false/);
    expect(t).toMatch(/by +the operator, with a key at a prompt/);
    expect(t).toMatch(/request +req-1/);
    expect(t).toMatch(/who decided +alice \(uid 1000\) on \/dev\/pts\/3 at build-01/);
    expect(t).toMatch(/Security event\n +the operator changed what the daemon lets through/);
  });

  it('is listed by m, and counted in its summary', () => {
    const lines = integrityLines({ chain: null, marks: [policy()], malformed: [], malformedCount: 0, seal: null, cursor: 0 }).map(lineText);
    expect(lines[0]).toContain('⚑ 1 policy change');
    expect(lines[1]).toMatch(/⚑ policy +audit\.log:3 +confirm_unprivileged: true → false by alice/);
  });

  it('unchained (no seq/prev, as anyone with write access can add one): the row and the detail say the chain does not vouch for it', () => {
    const m = policy({ location: { file: '/l/audit.log', line: 3, offset: 0, length: 1, seq: null } });
    expect(lineText(markSpans(m, 80, ctx))).toMatch(/^08:01:00 ┄┄ ⚑ POLICY CHANGED \(⚠ unchained\) confirm_unprivileged/);
    expect(text(markDetailLines(m, 100, BASE_MS))).toMatch(/\n {2}unchained +a record without seq\/prev: not covered by the hash chain\n/);
    expect(lineText(markSpans(policy(), 120, ctx))).not.toContain('unchained');
  });

  it('escapes whatever a hostile writer put in the setting, the values and the operator', () => {
    for (const h of Object.values(HOSTILE)) {
      const m = policy({ operator: { uid: 0, user: h, tty: h, hostname: h }, policy: { setting: h, old: h, new: null, requestId: h, by: 'config' } });
      expect(lineText(markSpans(m, 200, ctx))).not.toMatch(RAW_CONTROL);
      expect(text(markDetailLines(m, 100, BASE_MS))).not.toMatch(RAW_CONTROL);
    }
  });
});

describe('a replayed request', () => {
  const replay = makeEntry({ state: 'rejected', decision: 'rejected', via: 'policy', requestError: 'duplicate request id', reject: 'replay', operator: ALICE, escalation: 'sudo' });

  it('has a detail pane saying who decided, the refusal, and why it is a security event', () => {
    const t = text(detailLines(replay, 100, BASE_MS));
    expect(t).toMatch(/reject +replay: its request id was seen before: a replayed request/);
    expect(t).toMatch(/who decided +alice \(uid 1000\) on \/dev\/pts\/3 at build-01/);
    expect(t).toMatch(/escalation +sudo/);
    expect(t).toMatch(/⚑ Security event\n +replay +a request id seen before came again/);
  });

  it('an older record says who decided is not recorded, and no security section', () => {
    const t = text(detailLines(makeEntry(), 100, BASE_MS));
    expect(t).toMatch(/who decided +\(not recorded\)/);
    expect(t).not.toContain('Security event');
  });

  it('ApprovedAlways, pkexec, the client and the agent are said', () => {
    const t = text(detailLines(makeEntry({ always: true, via: 'pkexec', escalation: 'pkexec', clientVersion: '0.3.1', forwardAgent: true }), 100, BASE_MS));
    expect(t).toMatch(/decision +approved in pkexec's dialog/);
    expect(t).toMatch(/always +approved with "always" \(a\)/);
    expect(t).toMatch(/escalation +pkexec \(decided in pkexec's own dialog\)/);
    expect(t).toMatch(/client +version 0\.3\.1/);
    expect(t).toMatch(/ssh agent +forwarded to the command/);
  });

  it('the header counts replays and policy changes: ⚑ N security', () => {
    const stats = computeStats([factsOf(replay), factsOf(makeEntry())]);
    const start = policy();
    if (start.kind === 'writer') start.event = { ...start.event, event: 'start' };
    expect(securityCount(stats, [policy(), start])).toBe(2);
    const header = { title: 't', files: ['/l/audit.log'], live: false, follow: false, unseen: 0, filter: [], search: null, stats, malformedCount: 0, security: 2, width: 120 };
    expect(lineText(headerLines(header)[2])).toMatch(/· ⚑ 2 security$/);
    expect(lineText(headerLines({ ...header, security: 0 })[2])).not.toContain('security');
  });

  it("the header's count of policy changes obeys the filter's time window, operators and origins, not its hosts", () => {
    const at = Date.parse('2026-11-26T08:01:00.000Z');
    const marks = [policy(), policy({ operator: { ...ALICE, uid: 1001, user: 'bob' }, origin: 'db-01' })];
    expect(securityCount(null, marks, {})).toBe(2);
    expect(securityCount(null, marks, { sinceMs: at + 1 })).toBe(0);
    expect(securityCount(null, marks, { untilMs: at })).toBe(0);
    expect(securityCount(null, marks, { sinceMs: at, untilMs: at + 1 })).toBe(2);
    expect(securityCount(null, marks, { operators: ['bob'] })).toBe(1);
    expect(securityCount(null, marks, { operators: ['1000'] })).toBe(1);
    expect(securityCount(null, marks, { origins: ['db-01'] })).toBe(1);
    expect(securityCount(null, marks, { hosts: ['web-01'] })).toBe(2);
  });

  it('its row in the table says replay before the command, in words and colour', () => {
    const layout = layoutColumns(200, 'time');
    const cell = entryCells(replay, layout, ctx).find((c) => c.id === 'command');
    expect(cell).toMatchObject({ color: 'magenta', bold: true });
    expect(cell?.text.trim()).toBe('⚑ replay: # systemctl restart nginx');
    expect(entryCells(makeEntry(), layout, ctx).find((c) => c.id === 'command')?.text.trim()).toBe('# systemctl restart nginx');
  });
});
