/**
 * `mkdir -p` as an algorithm over the caller's `mkdir` (the writer's fs, the CLI's): which
 * levels to make, in which order, and which failure is final. Pure: `mkdir` does the I/O.
 *
 * Not mkdirSync's `recursive`: procfs answers ENOENT to a mkdir under it, which Node 20 takes for
 * a missing parent, makes the parent (EEXIST) and tries again, forever at full CPU — a daemon's
 * writer with it (a log path under /proc). Here each missing level is tried once on the way
 * down: an ENOENT then is final.
 */
import path from 'node:path';

/** Makes `dir` and the levels above it that are missing; the highest it made, or undefined when `dir` was there. */
export function makeDirectories(dir: string, mkdir: (level: string) => void): string | undefined {
  /** Levels whose parent was missing, lowest first: made on the way down. */
  const below: string[] = [];
  let made: string | undefined;
  for (let level = dir; ; level = path.dirname(level)) {
    try {
      mkdir(level);
      made = level;
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') break;
      if (code !== 'ENOENT' || path.dirname(level) === level) throw e;
      below.push(level);
    }
  }
  for (let i = below.length - 1; i >= 0; i--) {
    try {
      mkdir(below[i]);
      made ??= below[i];
    } catch (e) {
      // (Made meanwhile by another process: fine. Anything else, ENOENT too, is final.)
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return made;
}
