/**
 * The first frame in a real terminal (tmux, 120×30): the built CLI's viewer shows the newest
 * rows before Ink and React are loaded, and Ink's first frame then changes nothing on screen.
 * A loader hook holds viewer.mjs (the Ink part) until the test opens a gate file, so the screen
 * seen before is certainly the first frame's. Needs `npm run build` and tmux.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/audit-log.js';
import { writeTerminalRequest } from './e2e-requests.js';
import { terminalBed } from './terminal-bed.js';

const bed = terminalBed('spa-first-frame-');

/** A loader hook that holds dist/bin/viewer.mjs until GATE exists, and says when it was asked for it. */
function gateHook(dir: string): string {
  fs.writeFileSync(
    path.join(dir, 'hooks.mjs'),
    [
      "import fs from 'node:fs';",
      'export async function load(url, context, next) {',
      "  if (url.endsWith('/dist/bin/viewer.mjs')) {",
      "    fs.writeFileSync(process.env.GATE + '.asked', '');",
      '    while (!fs.existsSync(process.env.GATE)) await new Promise((r) => setTimeout(r, 10));',
      '  }',
      '  return next(url, context);',
      '}',
    ].join('\n'),
  );
  const register = path.join(dir, 'register.mjs');
  fs.writeFileSync(register, "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  return register;
}

describe.skipIf(!bed.tmux.found)('the first frame in a real terminal', () => {
  it('shows the newest rows before Ink loads, and Ink draws over it without a change', async () => {
    const dir = bed.workDir();
    const file = path.join(dir, 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    for (let i = 0; i < 40; i++) {
      const id = writeTerminalRequest(log, `ff000000-0000-4000-8000-${String(i).padStart(12, '0')}`, ['echo', `row-${i}`], 'approved', 'web-01');
      log.response({ id, status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 100, durationMs: 5 });
    }
    log.close();
    const gate = path.join(dir, 'gate');
    const register = gateHook(dir);
    const pane = bed.pane('first-frame', 120, 30, { TZ: 'UTC', GATE: gate });
    pane.run(`node --import ${register} ${bed.cli} view --no-follow ${file}; echo "viewer exited $?"`);
    // Ink is held back: what shows now is the first frame.
    await pane.waitFor('Ink to be asked for', () => fs.existsSync(`${gate}.asked`), 60_000);
    const first = await pane.waitFor('the first frame', (s) => /^› .*writer stopped/m.test(s), 60_000);
    expect(fs.existsSync(gate)).toBe(false);
    const lines = first.split('\n');
    expect(lines[0]).toMatch(/^sudo-proxy-audit {2}audit\.log/);
    expect(lines[1]).toMatch(/✓ 40 ok/);
    expect(lines[3]).toMatch(/^ {2}TIME +HOST +SESSION +STATE/);
    expect(first).toMatch(/^ {2}\S.*# echo row-39\s/m);
    expect(first).toMatch(/# echo row-17\s/);
    expect(first).toMatch(/end of file.*\n[\s\S]*q quit.*40\/40/);
    // A key typed while Ink loads waits for it (the terminal is raw already: no echo over the frame).
    pane.keys('k');
    // Ink and React load; the App mounts over the same state, then reads the key.
    fs.writeFileSync(gate, '');
    await pane.waitFor('Ink to read the key typed before it loaded', (s) => /^› .*# echo row-39/m.test(s));
    pane.keys('j');
    const back = await pane.waitFor('the selection back on the newest row', (s) => /^› .*writer stopped/m.test(s));
    expect(back).toBe(first);
    pane.keys('q');
    await pane.waitFor('the viewer to exit', (s) => s.includes('viewer exited 0'));
  }, 120_000);
});
