/**
 * What a real-terminal test of the built CLI needs, set up once per file: the CLI (built
 * first), tmux (the tests skip without it; under CI it is required), a work folder and a
 * pane per test, both removed after each test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll } from 'vitest';
import { requireTool } from '../helpers/system-tools.js';
import { TmuxPane } from './tmux.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bin/cli.js');

export function terminalBed(prefix: string) {
  const tmux = requireTool('tmux', { package: 'tmux' });
  let work = '';
  let pane: TmuxPane | null = null;
  beforeAll(() => {
    if (!fs.existsSync(CLI)) throw new Error(`build first (npm run build): ${CLI} is missing`);
  });
  afterEach(() => {
    pane?.kill();
    pane = null;
    if (work) fs.rmSync(work, { recursive: true, force: true });
    work = '';
  });
  return {
    cli: CLI,
    tmux,
    /** A fresh folder for this test's files. */
    workDir(): string {
      work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      return work;
    },
    /** A pane for this test, killed after it. */
    pane(session: string, columns: number, rows: number, env?: Record<string, string>): TmuxPane {
      pane = new TmuxPane(session, columns, rows, env);
      return pane;
    },
  };
}
