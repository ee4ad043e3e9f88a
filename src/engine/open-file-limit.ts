/**
 * Owns how many files this process may have open (the soft `ulimit -n`), for a fleet deciding
 * how many hosts it can follow: each followed host keeps its live file open.
 */
import fs from 'node:fs';

/** When the limit cannot be read (not Linux): the usual default soft limit. */
const USUAL_LIMIT = 1024;

/** The soft limit on open files, from /proc/self/limits (Node has no getrlimit). */
export function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (!line) return USUAL_LIMIT;
    return line[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(line[1]);
  } catch {
    return USUAL_LIMIT;
  }
}
