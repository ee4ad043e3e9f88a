/** Reading log sets (a file and its rotations) as complete lines, byte for byte. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** `file` and its logrotate siblings (`file.1`, `file.2.gz`, …) that exist, oldest first. */
export function logSetOf(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .map((n) => ({ n, m: /^\.(\d+)(\.gz)?$/.exec(n.slice(base.length)) }))
    .filter((x) => x.n.startsWith(base) && x.m !== null)
    .sort((a, b) => Number(b.m?.[1]) - Number(a.m?.[1]))
    .map((x) => path.join(dir, x.n));
  return names.includes(base) ? [...rotated, file] : rotated;
}

/**
 * The file's complete lines as latin1 strings (one char per byte, so comparing them compares
 * bytes exactly). A last line without its newline is still being written: left out.
 */
export function completeLines(file: string): string[] {
  let data = fs.readFileSync(file);
  if (file.endsWith('.gz')) data = zlib.gunzipSync(data);
  const end = data.lastIndexOf(0x0a);
  if (end < 0) return [];
  return data.subarray(0, end).toString('latin1').split('\n');
}

/** Back from the byte-exact form to the text a reader (and the chain) sees. */
export const asText = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

/**
 * The files under `root` (relative paths) whose bytes contain `needle`: where a record that
 * never reached the collector still is (a sender's queue spool, the collector's), for the
 * failure message; a file that vanishes meanwhile is skipped.
 */
export function filesContaining(root: string, needle: string): string[] {
  const want = Buffer.from(needle, 'latin1');
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          if (fs.readFileSync(p).includes(want)) found.push(path.relative(root, p));
        } catch {
          // gone between the listing and the read (rotation, a queue file consumed)
        }
      }
    }
  };
  walk(root);
  return found;
}
