/**
 * What an engine's `change` means for positions a consumer held from before it: the viewer's
 * cursor, filtered view and search matches, `print -f`'s running entries. A position is an
 * entry's index in log order and moves (older entries prepended, a fleet merged anew); a key
 * stays with its entry. One reading of `prepended`/`reordered`/`added` for every consumer.
 * Pure: no I/O.
 */
import type { AuditEngine, EngineChange } from './entry.js';
import { lowerBound } from './sorted.js';

/** An entry a consumer holds: its key, and its position when the consumer last looked. */
export interface HeldEntry {
  key: number;
  position: number;
}

const NO_POSITIONS = new Int32Array(0);

/** Positions held from before the change may point at other entries now: a list of them is stale. */
export function positionsMoved(change: EngineChange): boolean {
  return change.prepended > 0 || change.reordered === true;
}

/**
 * Where a position held without a key (a cursor, a view's row, a count seen so far) is now:
 * older entries prepended push it down by as many. After a reorder no position says where its
 * entry went and this stays a guess: a consumer that can, holds a key (`keptPosition`).
 */
export function shiftedPosition(change: EngineChange, position: number): number {
  return position + change.prepended;
}

/** `shiftedPosition` over a list of positions; the same list when nothing was prepended. */
export function shiftedPositions(change: EngineChange, positions: Int32Array): Int32Array {
  return change.prepended > 0 ? positions.map((p) => p + change.prepended) : positions;
}

/** Where a held entry is now, or -1 when it is gone (after a reorder, the engine finds it by key). */
export function keptPosition(change: EngineChange, held: HeldEntry, engine: Pick<AuditEngine, 'positionOf'>): number {
  if (!change.reordered) return shiftedPosition(change, held.position);
  return engine.positionOf(held.key);
}

/**
 * The positions (ascending) of the entries the change brought that a consumer has not looked
 * at, when it had looked at every position below `seen` and the engine now has `size` entries:
 * after a reorder, the ones it lists as `added`; otherwise those after what was seen (entries
 * prepended are history older than anything seen).
 */
export function newPositions(change: EngineChange, seen: number, size: number): Int32Array {
  if (change.reordered) return change.added ?? NO_POSITIONS;
  const from = shiftedPosition(change, seen);
  return Int32Array.from({ length: Math.max(0, size - from) }, (_, i) => from + i);
}

/**
 * Where the entries of `keys` (held from before a change that moved positions) are now,
 * ascending, with their keys; those gone are left out. `current` is the key at every position
 * now: one pass over it, a binary search each (no map of a million keys).
 */
export function positionsOfKeys(keys: Float64Array, current: Float64Array): { positions: Int32Array; keys: Float64Array } {
  const sorted = Float64Array.from(keys).sort();
  const positions: number[] = [];
  for (let p = 0; p < current.length; p++) {
    const at = lowerBound(sorted, current[p]);
    if (at < sorted.length && sorted[at] === current[p]) positions.push(p);
  }
  const at = Int32Array.from(positions);
  return { positions: at, keys: Float64Array.from(at, (p) => current[p]) };
}
