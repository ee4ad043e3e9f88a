/**
 * The string ids of each scanner of a scan pool (a worker's, or chunk-scan.ts's in this thread)
 * mapped to the store's: a scanner interns the strings of its chunks' lines in pools of its own
 * and sends those new to them with each chunk; the intake maps each, a lookup a string.
 */
import type { StringPool } from './string-pool.js';

export class ScannerStrings {
  /** Scanner number → by pool, its ids → the store's. */
  private scanners = new Map<number, number[][]>();

  /** `pools`: the store's, in the scanners' order (host, session, reason, command, resolved, error). */
  constructor(private readonly pools: readonly StringPool[]) {}

  /**
   * Scanner `scanner`'s ids → the store's, by pool, with `fresh`, the strings new to its pools
   * since its last chunk, added. `first`: the ids `fresh` starts at, when known. A chunk scanned
   * and never taken in (a run cut short) left a gap: then null from there on, and the lines'
   * strings are interned from their bytes.
   */
  storeIds(scanner: number, fresh: readonly string[][], first: readonly number[] | null = null): number[][] | null {
    let map = this.scanners.get(scanner);
    if (!map) {
      map = this.pools.map(() => []);
      this.scanners.set(scanner, map);
    }
    if (first !== null && map.some((ids, p) => first[p] !== ids.length)) return null;
    for (let p = 0; p < this.pools.length; p++) for (const s of fresh[p]) map[p].push(this.pools[p].intern(s));
    return map;
  }

  /** A scan pool starts: its scanners number their strings afresh. */
  forget(): void {
    this.scanners.clear();
  }
}
