/**
 * Owns finding a live log's rotated set: the older files logrotate left beside it, oldest first.
 *
 * Given the live log `audit.log`, the older files logrotate left beside it —
 * `audit.log.1`, `audit.log.2.gz`, … (numbered: higher is older) and `audit.log-20261101[.gz]`
 * (dateext: earlier is older) — oldest first, ending with the live file.
 */
import fs from 'node:fs';
import path from 'node:path';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface RotatedFile {
  path: string;
  /** Numbered rotation (1 = newest), or null for dateext. */
  number: number | null;
  /** dateext suffix (sorts by age), or null. */
  date: string | null;
  gzip: boolean;
}

/** What logrotate appends to a rotated file's name: `.N` or `-DATE`, then `.gz` when compressed. */
const ROTATION_SUFFIX = '(?:\\.(\\d{1,6})|-(\\d{8}(?:\\d{2,6})?))(\\.gz)?$';

/** Classifies a directory entry as a rotation of `base`, or null. */
export function rotatedName(base: string, name: string): Omit<RotatedFile, 'path'> | null {
  const m = new RegExp(`^${escapeRegExp(base)}${ROTATION_SUFFIX}`).exec(name);
  if (!m) return null;
  return { number: m[1] === undefined ? null : Number(m[1]), date: m[2] ?? null, gzip: m[3] !== undefined };
}

const ANY_ROTATED_NAME = new RegExp(`^(.+?)${ROTATION_SUFFIX}`);

/**
 * The name of the live file a rotated file's `name` comes from (`audit.log.2.gz`,
 * `audit.log-20261101` → `audit.log`), or null when it is not named as a rotation: how a set
 * named without its live file is recognised.
 */
export function rotationBase(name: string): string | null {
  return ANY_ROTATED_NAME.exec(name)?.[1] ?? null;
}

/** Oldest first: dateext files by date, then numbered ones from the highest number down. */
export function orderRotated(files: readonly RotatedFile[]): RotatedFile[] {
  return [...files].sort((a, b) => {
    if (a.date !== null && b.date !== null) return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
    if (a.date !== null) return -1;
    if (b.date !== null) return 1;
    return (b.number as number) - (a.number as number) || (a.gzip ? -1 : 1);
  });
}

/**
 * The rotated set of `livePath`, oldest first, the live path last (even when it does not exist
 * yet: it is the one to wait for). A missing directory yields just the live path.
 */
export function findRotatedSet(livePath: string): string[] {
  const dir = path.dirname(livePath);
  const base = path.basename(livePath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [livePath];
  }
  const found: RotatedFile[] = [];
  for (const name of names) {
    const r = rotatedName(base, name);
    if (!r) continue;
    const full = path.join(dir, name);
    try {
      if (!fs.statSync(full).isFile()) continue;
    } catch {
      continue;
    }
    found.push({ path: full, ...r });
  }
  return [...orderRotated(found).map((f) => f.path), livePath];
}

/**
 * Rotated files of `livePath` written since `sinceMs` that are not `known`, opened read-only,
 * oldest first: files a writer created and logrotate moved away before a follower looked.
 * (Compressed ones cannot be read as they are.)
 */
export function openMissedRotations(livePath: string, sinceMs: number, known: (st: fs.Stats) => boolean): Array<{ fd: number; dev: number; ino: number }> {
  const found: Array<{ fd: number; dev: number; ino: number; mtimeMs: number }> = [];
  for (const file of findRotatedSet(livePath).slice(0, -1)) {
    if (file.endsWith('.gz')) continue;
    const fresh = (st: fs.Stats) => st.isFile() && !known(st) && st.mtimeMs >= sinceMs;
    let fd = -1;
    try {
      // A stat first: a follower waiting for a missing path looks on every check, and most files are old.
      if (!fresh(fs.statSync(file))) continue;
      fd = fs.openSync(file, 'r');
      const st = fs.fstatSync(fd);
      if (fresh(st)) {
        found.push({ fd, dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs });
        continue;
      }
    } catch {
      // gone or unreadable: not one to read
    }
    if (fd >= 0) fs.closeSync(fd);
  }
  return found.sort((a, b) => a.mtimeMs - b.mtimeMs).map(({ fd, dev, ino }) => ({ fd, dev, ino }));
}
