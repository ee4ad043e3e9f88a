/**
 * The system tools some tests run (logrotate, rsyslogd and its RELP module, tmux), asked for in
 * one place. On a developer's machine a missing tool skips only the tests that need it, and says
 * so in one line on stderr; under CI (.ci/run installs them all) a missing tool fails the run
 * instead, naming the Debian package, so that a broken CI image cannot pass by skipping.
 *
 *   const logrotate = requireTool('logrotate', { package: 'logrotate' });
 *   describe.skipIf(!logrotate.found)('…', () => { … execFile(logrotate.path, …) … });
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, inject } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    /** CI was set when vitest started (vitest.config.ts); test/setup-env.ts clears it in the workers. */
    ci: boolean;
  }
}

/** PATH, then the sbin directories a non-root PATH often lacks (logrotate and rsyslogd live there). */
export const COMMAND_DIRS: readonly string[] = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];

export interface ToolNeed {
  /** The Debian package that installs it. */
  package: string;
  /** Where to look, in order (default: COMMAND_DIRS). */
  dirs?: readonly string[];
  /** A loadable module rather than a command: it need only be a readable file. */
  module?: boolean;
  /** What is skipped without it, for the skip line (default: the whole test file). */
  for?: string;
  /** A missing tool fails instead of skipping (default: whether the run is under CI). */
  ci?: boolean;
}

export interface Tool {
  name: string;
  found: boolean;
  /** Where it was found; the bare name when it was not. */
  path: string;
}

/** True when CI is set to anything but empty, 0 or false. */
export function isCi(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** The first file called `name` in `dirs` that is executable (or, for a module, readable). */
export function findTool(name: string, dirs: readonly string[], module = false): string | null {
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      if (!fs.statSync(file).isFile()) continue;
      fs.accessSync(file, module ? fs.constants.R_OK : fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Finds a tool the calling tests need. Missing under CI: throws, naming the tool and its
 * package. Missing elsewhere: prints one line saying what is skipped, and returns
 * `found: false` for `describe.skipIf`/`it.skipIf`.
 */
export function requireTool(name: string, need: ToolNeed): Tool {
  const found = findTool(name, need.dirs ?? COMMAND_DIRS, need.module);
  if (found !== null) return { name, found: true, path: found };
  const install = `Debian package ${need.package}: apt-get install -y ${need.package}`;
  if (need.ci ?? inject('ci')) throw new Error(`${name} is missing, and under CI every tool the tests need must be installed (${install}; .ci/run does it)`);
  console.warn(`skipped: ${whatIsSkipped(need.for)} — needs ${name}, which is not installed (${install})`);
  return { name, found: false, path: name };
}

function whatIsSkipped(what: string | undefined): string {
  const file = expect.getState().testPath;
  const where = file ? path.relative(process.cwd(), file) : 'tests';
  return what ? `${where} › ${what}` : where;
}
