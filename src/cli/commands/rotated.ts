/**
 * Files named on the command line in shell-glob order (`audit.log*` gives the live file first
 * and `.10` before `.2`) put oldest first — when they are all members of one rotated set, with
 * or without its live file (`audit.log.*`, or `audit.log*` right after a `nocreate` rotation).
 * Any other list is kept as given: the user's order is the order. Naming rules are the
 * engine's (rotated-set.ts). Pure.
 */
import path from 'node:path';
import { orderRotated, type RotatedFile, rotatedName, rotationBase } from '../../engine/rotated-set.js';

export function orderAsRotatedSet(paths: readonly string[]): string[] {
  if (paths.length < 2 || new Set(paths).size !== paths.length) return [...paths];
  const dir = path.dirname(paths[0]);
  if (!paths.every((p) => path.dirname(p) === dir)) return [...paths];
  // The live file has the shortest name; without it, the shortest name is a rotation of it.
  const shortest = paths.map((p) => path.basename(p)).reduce((a, b) => (a.length <= b.length ? a : b));
  for (const base of [shortest, rotationBase(shortest)]) {
    const ordered = base === null ? undefined : orderAsRotationsOf(base, paths);
    if (ordered) return ordered;
  }
  return [...paths];
}

/** Oldest first, the live file (named `base`) last; undefined unless every path is one of these. */
function orderAsRotationsOf(base: string, paths: readonly string[]): string[] | undefined {
  const live: string[] = [];
  const rotated: RotatedFile[] = [];
  for (const p of paths) {
    const name = path.basename(p);
    if (name === base) {
      live.push(p);
      continue;
    }
    const r = rotatedName(base, name);
    if (!r) return undefined;
    rotated.push({ path: p, ...r });
  }
  return [...orderRotated(rotated).map((r) => r.path), ...live];
}
