import { describe, expect, it } from 'vitest';
import { CollectedLines } from '../../src/tui/engine/collected.js';
import type { LocatedCompact } from '../../src/tui/engine/entry-store.js';
import { newCompactRecord } from '../../src/tui/engine/scan-record.js';

function response(idHash: number, offset: number): LocatedCompact {
  return Object.assign(newCompactRecord(), { idHash, seg: 0, offset, length: 10, line: 1, seq: -1 }) as LocatedCompact;
}

describe('CollectedLines: responses held for their requests', () => {
  it('hands a held response to its request, and gives up on the rest only once they waited long enough', () => {
    let now = 0;
    const lines = new CollectedLines(() => null, () => now);
    lines.hold(response(1, 300));
    lines.hold(response(2, 100));
    now = 4_000;
    lines.hold(response(3, 200));
    expect(lines.takeHeld(1).map((r) => r.offset)).toEqual([300]);
    expect(lines.holding).toBe(2);
    now = 10_000;
    // Held 10 s: id 2; id 3 only 6 s.
    expect(lines.takeHeldOlderThan(10_000).map((r) => r.idHash)).toEqual([2]);
    expect(lines.holding).toBe(1);
    // At the end of what there is, all of them, in line order.
    lines.hold(response(4, 50));
    expect(lines.takeHeldOlderThan(0).map((r) => r.idHash)).toEqual([4, 3]);
    expect(lines.holding).toBe(0);
  });
});
