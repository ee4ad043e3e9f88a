/**
 * Files named on the command line in shell-glob order (`audit.log*` gives the live file first
 * and `.10` before `.2`) put oldest first — when they are all members of one rotated set.
 * Any other list is kept as given: the user's order is the order. Naming rules are the
 * engine's (rotated-set.ts). Pure.
 */
import path from 'node:path';
import { orderRotated, type RotatedFile, rotatedName } from '../../engine/rotated-set.js';

export function orderAsRotatedSet(paths: readonly string[]): string[] {
  if (paths.length < 2 || new Set(paths).size !== paths.length) return [...paths];
  const dir = path.dirname(paths[0]);
  if (!paths.every((p) => path.dirname(p) === dir)) return [...paths];
  const base = paths.map((p) => path.basename(p)).reduce((a, b) => (a.length <= b.length ? a : b));
  const live: string[] = [];
  const rotated: RotatedFile[] = [];
  for (const p of paths) {
    const name = path.basename(p);
    if (name === base) {
      live.push(p);
      continue;
    }
    const r = rotatedName(base, name);
    if (!r) return [...paths];
    rotated.push({ path: p, ...r });
  }
  return [...orderRotated(rotated).map((r) => r.path), ...live];
}
