import '../tz.js';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { WriterEvent } from '../../../src/shared/entry.js';
import { lineText } from '../../../src/tui/format/spans.js';
import { markSpans } from '../../../src/tui/format/mark-row.js';
import type { Mark } from '../../../src/tui/store/rows.js';
import { BASE_MS } from '../entries.js';
import { HOSTILE, RAW_CONTROL } from '../hostile.js';

const ctx = { nowMs: BASE_MS, timeStyle: 'time' as const };

const dropped = (extra: Partial<WriterEvent> = {}): Mark => ({
  kind: 'writer',
  at: 0,
  event: {
    event: 'dropped', time: '2026-11-26T08:01:00Z', pid: 7, dropped: 3, error: 'ENOSPC', firstTime: null, lastTime: null,
    location: { file: '/l/audit.log', line: 4, offset: 0, length: 1, seq: 4 }, ...extra,
  },
});

describe('a mark row', () => {
  it('is exactly the width given, whatever the writer recorded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 40 }), fc.integer({ min: 10, max: 200 }), (error, origin, width) => {
        const text = lineText(markSpans(dropped({ error, origin }), width, ctx));
        expect(stringWidth(text)).toBe(width);
        expect(text).not.toMatch(RAW_CONTROL);
      }),
    );
  });

  it('says the count, the span of time and the error of a gap', () => {
    const text = lineText(markSpans(dropped({ firstTime: '2026-11-26T08:00:10Z', lastTime: '2026-11-26T08:00:55Z' }), 80, ctx));
    expect(text).toMatch(/^08:01:00 ┄┄ ⚠ GAP 3 records dropped 08:00:10–08:00:55 · ENOSPC ┄+$/);
  });

  it('escapes a hostile error and origin', () => {
    for (const h of Object.values(HOSTILE)) {
      expect(lineText(markSpans(dropped({ error: h, origin: h }), 200, ctx))).not.toMatch(RAW_CONTROL);
    }
  });

  it('says first when no chain vouches for a writer record (no seq/prev: a forged stop, start or gap)', () => {
    const unchained = { file: '/l/audit.log', line: 4, offset: 0, length: 1, seq: null };
    const forged: Mark[] = [
      dropped({ location: unchained }),
      dropped({ event: 'stop', dropped: 0, error: null, location: unchained }),
      dropped({ event: 'start', dropped: 0, error: null, location: unchained }),
      dropped({ event: 'start', dropped: 0, error: null, afterCrash: true, location: unchained }),
    ];
    for (const mark of forged) expect(lineText(markSpans(mark, 60, ctx))).toMatch(/^08:01:00 ┄┄ \S+ (GAP )?\(⚠ unchained\) /);
    expect(lineText(markSpans(dropped(), 80, ctx))).not.toContain('unchained');
  });
});
