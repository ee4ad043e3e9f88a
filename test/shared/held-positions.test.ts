import { describe, expect, it } from 'vitest';
import type { EngineChange } from '../../src/shared/entry.js';
import { keptPosition, newPositions, positionsMoved, positionsOfKeys, shiftedPosition, shiftedPositions } from '../../src/shared/held-positions.js';

const change = (c: Partial<EngineChange>): EngineChange => ({ prepended: 0, appended: 0, updated: 0, ...c });
/** An engine that knows where keys 7 and 8 are now. */
const merged = { positionOf: (key: number) => ({ 7: 0, 8: 5 })[key] ?? -1 };

describe('held positions through an engine change', () => {
  it('moved: older entries prepended or a reorder; not appends or updates', () => {
    expect(positionsMoved(change({ appended: 3, updated: 2 }))).toBe(false);
    expect(positionsMoved(change({ prepended: 1 }))).toBe(true);
    expect(positionsMoved(change({ reordered: true, added: new Int32Array(0) }))).toBe(true);
  });

  it('a position without a key shifts down by what was prepended', () => {
    expect(shiftedPosition(change({ prepended: 4, appended: 9 }), 10)).toBe(14);
    expect(Array.from(shiftedPositions(change({ prepended: 2 }), Int32Array.of(0, 3)))).toEqual([2, 5]);
    const view = Int32Array.of(1, 2);
    expect(shiftedPositions(change({ appended: 5 }), view)).toBe(view);
  });

  it('a held entry shifts with prepends, and after a reorder is found by its key', () => {
    expect(keptPosition(change({ prepended: 3 }), { key: 7, position: 2 }, merged)).toBe(5);
    const reorder = change({ prepended: 1, reordered: true, added: Int32Array.of(3) });
    expect(keptPosition(reorder, { key: 7, position: 2 }, merged)).toBe(0);
    expect(keptPosition(reorder, { key: 8, position: 0 }, merged)).toBe(5);
  });

  it('after a reorder, an entry its engine no longer has is lost (-1)', () => {
    const reorder = change({ reordered: true, added: new Int32Array(0) });
    expect(keptPosition(reorder, { key: 99, position: 2 }, merged)).toBe(-1);
  });

  it('new positions: those past what was seen (after the prepended), or the ones a reorder lists', () => {
    expect(Array.from(newPositions(change({ appended: 2 }), 5, 7))).toEqual([5, 6]);
    expect(Array.from(newPositions(change({ prepended: 3, appended: 1 }), 5, 9))).toEqual([8]);
    expect(Array.from(newPositions(change({ updated: 1 }), 5, 5))).toEqual([]);
    expect(Array.from(newPositions(change({ prepended: 2, reordered: true, added: Int32Array.of(0, 4) }), 5, 7))).toEqual([0, 4]);
    expect(Array.from(newPositions(change({ reordered: true }), 5, 7))).toEqual([]);
  });

  it('keys held from before a move: where they are now, ascending, those gone left out', () => {
    // Now: position p holds key current[p]; held: 30 (moved to the front), 10, 2 ** 33 + 1 (a fleet key), 99 (gone).
    const current = Float64Array.of(30, 5, 10, 2 ** 33 + 1, 7);
    const held = Float64Array.of(10, 2 ** 33 + 1, 99, 30);
    const { positions, keys } = positionsOfKeys(held, current);
    expect(Array.from(positions)).toEqual([0, 2, 3]);
    expect(Array.from(keys)).toEqual([30, 10, 2 ** 33 + 1]);
    expect(positionsOfKeys(new Float64Array(0), current).positions).toHaveLength(0);
  });
});
