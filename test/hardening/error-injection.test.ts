/**
 * Terminal injection through what the CLI says about its inputs rather than through records:
 * a file or directory name given on the command line, a host folder found in a collector
 * directory, an unknown option or command, a flag's value. Each holds ESC, OSC (title,
 * clipboard), CSI, 8-bit C1 controls, DEL, bidi controls, line and paragraph separators, TAB,
 * CR and LF. Every error, notice and output path below runs the built CLI in a pipe; the bytes
 * that would reach a terminal must hold no raw control character, and the name must still be
 * recognisable, shown in its escaped form. --json output must stay valid JSON giving back the
 * very names. Needs `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeForTerminal } from '../../src/shared/sanitize.js';
import { KNOWN, linesOf, openLog, readLines, request, spawnCli, writeLines, writeLog } from '../cli/helpers.js';
import { writeCollected } from '../cli/collector.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { collectRaw, expectInert, runRaw } from './terminal-bytes.js';

const tempDir = makeTempDirFactory('spa-error-injection');

/** A valid file name (no `/`, no NUL) holding every kind of character a terminal acts on. */
const NAME =
  'n\u001b]0;pwned\u0007\u001b[2J\u001b]52;c;cHduZWQK\u0007\u009b2J\u009d0;x\u009c\u007f\u202egnp\u2028\u2029\u200e\u200f\u061c\ufeff\u2066\t\r\n\u001fe';
/** How NAME must be shown: every one of those characters as a visible escape. */
const SHOWN =
  'n\\e]0;pwned\\x07\\e[2J\\e]52;c;cHduZWQK\\x07\\x9b2J\\x9d0;x\\x9c\\x7f\\u202egnp\\u2028\\u2029\\u200e\\u200f\\u061c\\ufeff\\u2066\\t\\r\\n\\x1fe';

let dir = '';
/** A valid log with a plain name, and copies of it named NAME: whole, with a garbage line, and modified. */
let plain = '';
let named = '';
let namedBroken = '';
/** A collector directory whose hosts are `web1` and NAME. */
let collector = '';

beforeAll(() => {
  expect(escapeForTerminal(NAME)).toBe(SHOWN);
  dir = tempDir();
  plain = path.join(dir, 'audit.log');
  writeLog(plain, KNOWN);
  const lines = readLines(plain);
  named = path.join(dir, NAME);
  writeLines(named, [...lines.slice(0, 3), 'garbage', ...lines.slice(3)]);
  fs.mkdirSync(path.join(dir, 'broken'));
  namedBroken = path.join(dir, 'broken', NAME);
  writeLines(namedBroken, lines.map((l, i) => (i === 4 ? l.replace('"s1"', '"s9"') : l)));
  collector = path.join(dir, 'collector');
  writeCollected(collector, 'web1', lines);
  writeCollected(collector, NAME, lines);
  expect(fs.readdirSync(collector).sort()).toEqual([NAME, 'web1'].sort());
});

/** A usage or I/O error: exit 2, nothing on stdout, one line on stderr that shows `expected` escaped. */
async function expectEscapedError(args: readonly string[], expected: string): Promise<void> {
  const r = await runRaw(args);
  const stderr = expectInert(r.stderr, `stderr of ${JSON.stringify(args)}`);
  expect(r.code, stderr).toBe(2);
  expect(r.stdout.toString()).toBe('');
  expect(linesOf(stderr), stderr).toHaveLength(1);
  expect(stderr).toContain(expected);
}

describe.concurrent('a file or directory name given on the command line', () => {
  for (const command of ['print', 'stats', 'verify', 'view']) {
    it(`${command}: a missing file`, async () => {
      await expectEscapedError([command, path.join(dir, `missing-${NAME}`)], `${dir}/missing-${SHOWN}: no such file`);
    });
  }

  it('a file that is not an audit log', async () => {
    const text = path.join(dir, `notes-${NAME}`);
    fs.writeFileSync(text, 'Meeting notes\n');
    await expectEscapedError(['stats', text], `${dir}/notes-${SHOWN}: not an audit log (line 1 is not JSON)`);
  });

  it('a directory that is not a collector directory', async () => {
    const empty = path.join(dir, `empty-${NAME}`);
    fs.mkdirSync(empty);
    await expectEscapedError(['verify', empty], `${dir}/empty-${SHOWN}: no collected hosts (expected ${dir}/empty-${SHOWN}/<host>/audit.log)`);
  });

  it('a directory and a file together', async () => {
    await expectEscapedError(['print', collector, named], `'${dir}/${SHOWN}' is not`);
  });

  it('print: the malformed line is reported as FILE:LINE: REASON, and the entries printed', async () => {
    const r = await runRaw(['print', named]);
    expect(r.code).toBe(0);
    expectInert(r.stdout, 'print stdout');
    const stderr = expectInert(r.stderr, 'print stderr');
    expect(stderr).toMatch(new RegExp(`^${escapeRegExp(`${dir}/${SHOWN}`)}:4: `));
    expect(linesOf(stderr), stderr).toHaveLength(1);
  });

  it('stats: the files read', async () => {
    const r = await runRaw(['stats', named]);
    expect(r.code).toBe(0);
    expect(expectInert(r.stdout, 'stats')).toContain(`Files:                ${dir}/${SHOWN}`);
  });

  it('stats --json: valid JSON that names the file as it is', async () => {
    const r = await runRaw(['stats', '--json', named]);
    expect(r.code).toBe(0);
    expect(JSON.parse(expectInert(r.stdout, 'stats --json'))).toMatchObject({ files: [named] });
  });

  it('verify: the torn line on stderr, the verdict on stdout', async () => {
    const r = await runRaw(['verify', named]);
    expect(r.code).toBe(0);
    expect(expectInert(r.stderr, 'verify stderr')).toContain(`${dir}/${SHOWN}:4: not a record`);
    expect(expectInert(r.stdout, 'verify stdout')).toMatch(/^ok: /);
  });

  it('verify: a break names the file', async () => {
    const r = await runRaw(['verify', namedBroken]);
    expect(r.code).toBe(1);
    expect(expectInert(r.stdout, 'verify stdout')).toContain(`break at ${dir}/broken/${SHOWN}:`);
  });

  it('verify --json: valid JSON giving back the file name, its malformed line and its break', async () => {
    const r = await runRaw(['verify', '--json', named]);
    expect(r.code).toBe(0);
    const report = JSON.parse(expectInert(r.stdout, 'verify --json'));
    expect(report).toMatchObject({ ok: true, files: [named], malformed_count: 1, malformed: [{ file: named, line: 4 }] });
    const broken = await runRaw(['verify', '--json', namedBroken]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(expectInert(broken.stdout, 'verify --json of a break'))).toMatchObject({ ok: false, files: [namedBroken], break: { file: namedBroken } });
  });

  it('demo: --audit-log naming a directory, and a path under a file', async () => {
    const folder = path.join(dir, `demo-${NAME}`);
    fs.mkdirSync(folder);
    await expectEscapedError(['demo', '--count', '1', '--audit-log', folder], `${dir}/demo-${SHOWN}: is a directory`);
    await expectEscapedError(['demo', '--count', '1', '--audit-log', path.join(named, 'audit.log')], `${dir}/${SHOWN}/audit.log: `);
  });

  it('seal init and seal status: the log and its state named escaped; --json gives them back as they are', async () => {
    const folder = path.join(dir, `seal-${NAME}`);
    const log = path.join(folder, 'audit.log');
    const status = async (json: boolean) => runRaw(['seal', 'status', ...(json ? ['--json'] : []), '--audit-log', log]);
    const before = await status(false);
    expect(before.code).toBe(1);
    expect(expectInert(before.stdout, 'seal status of a log not sealed')).toContain(`${dir}/seal-${SHOWN}/audit.log`);
    expect(JSON.parse(expectInert((await status(true)).stdout, 'seal status --json of a log not sealed'))).toMatchObject({ sealed: false, log });
    const init = await runRaw(['seal', 'init', '--audit-log', log]);
    expect(init.code).toBe(0);
    expect(expectInert(init.stdout, 'seal init')).toContain(`sealing set up for ${dir}/seal-${SHOWN}/audit.log`);
    const after = await status(false);
    expect(after.code).toBe(0);
    expect(expectInert(after.stdout, 'seal status')).toContain(`sealed: ${dir}/seal-${SHOWN}/audit.log`);
    expect(JSON.parse(expectInert((await status(true)).stdout, 'seal status --json'))).toMatchObject({ sealed: true, log });
  });
});

describe.concurrent('a host folder of a collector directory', () => {
  it('print: the ORIGIN column', async () => {
    const r = await runRaw(['print', collector]);
    expect(r.code).toBe(0);
    expect(r.stderr.toString()).toBe('');
    expect(expectInert(r.stdout, 'print')).toContain('n\\e]0;');
  });

  it('print --json: valid JSON with the origin as it is', async () => {
    const r = await runRaw(['print', '--json', collector]);
    expect(r.code).toBe(0);
    const origins = new Set(linesOf(expectInert(r.stdout, 'print --json')).map((l) => JSON.parse(l).origin));
    expect(origins).toEqual(new Set(['web1', NAME]));
  });

  it('stats, text and --json', async () => {
    const text = await runRaw(['stats', collector]);
    expect(text.code).toBe(0);
    expect(expectInert(text.stdout, 'stats')).toContain('n\\e]0;pwned\\x07\\e[2J'); // cut to the column
    const json = await runRaw(['stats', '--json', collector]);
    expect(json.code).toBe(0);
    expect(JSON.stringify(JSON.parse(expectInert(json.stdout, 'stats --json')))).toContain(JSON.stringify(NAME));
  });

  it('verify: one line per host, and the closing line', async () => {
    const r = await runRaw(['verify', collector]);
    expect(r.code).toBe(0);
    expect(linesOf(expectInert(r.stdout, 'verify'))).toEqual([expect.stringMatching(new RegExp(`^${escapeRegExp(SHOWN)}: ok: `)), expect.stringMatching(/^web1: ok: /), 'verified 2 hosts: all ok']);
  });

  it('verify --json: valid JSON with the host and its files as they are', async () => {
    const r = await runRaw(['verify', '--json', collector]);
    expect(r.code).toBe(0);
    const report = JSON.parse(expectInert(r.stdout, 'verify --json'));
    expect(report.hosts.map((h: { origin: string }) => h.origin)).toEqual([NAME, 'web1']);
    expect(report.hosts[0].files).toEqual([path.join(collector, NAME, 'audit.log')]);
  });

  it('a host whose log is not an audit log', async () => {
    const other = tempDir();
    fs.mkdirSync(path.join(other, NAME));
    fs.writeFileSync(path.join(other, NAME, 'audit.log'), 'Meeting notes\n');
    await expectEscapedError(['print', other], `${other}/${SHOWN}/audit.log: not an audit log`);
  });

  it('the same host in two collector directories: the later one named by its folder, escaped', async () => {
    const other = tempDir();
    writeCollected(other, NAME, readLines(plain));
    const r = await runRaw(['print', collector, other]);
    expect(r.code).toBe(0);
    expect(expectInert(r.stdout, 'print stdout')).toContain(`${other}/${SHOWN}`);
  });

  it('--origin and --expect-head naming a host that is not there', async () => {
    await expectEscapedError(['print', '--origin', `${NAME}x`, collector], `--origin: no collected host '${SHOWN}x'`);
    await expectEscapedError(['verify', '--expect-head', `web9=${'0'.repeat(64)}`, collector], `hosts are ${SHOWN}, web1`);
  });
});

describe.concurrent('options, commands and flag values', () => {
  for (const command of ['print', 'stats', 'verify', 'view', 'demo', 'schema']) {
    it(`${command}: an unknown option`, async () => {
      await expectEscapedError([command, `--x${NAME}`], `unknown option '--x${SHOWN}'`);
    });
  }

  it('an unknown short option', async () => {
    await expectEscapedError(['print', '-\u001b'], "unknown option '-\\e'");
  });

  it('an option missing its value, the next word shown', async () => {
    await expectEscapedError(['print', '--since', `-${NAME}`], `if '-${SHOWN}' is the value`);
  });

  it('an unknown command that looks like a typo', async () => {
    await expectEscapedError(['print\u001b\u202e'], "unknown command 'print\\e\\u202e' (did you mean 'print'?)");
  });

  it('help for a command that does not exist', async () => {
    await expectEscapedError(['help', NAME], `no command '${SHOWN}'`);
  });

  it('flag values: a state, a time, a head', async () => {
    await expectEscapedError(['print', '--state', NAME, plain], `unknown state '${SHOWN}'`);
    await expectEscapedError(['print', '--since', NAME, plain], SHOWN);
    await expectEscapedError(['verify', '--expect-head', NAME, plain], `got '${SHOWN}'`);
  });

  it('demo: an argument it does not take, and a bad number', async () => {
    await expectEscapedError(['demo', NAME], `unexpected argument '${SHOWN}'`);
    await expectEscapedError(['demo', '--rate', NAME], `got '${SHOWN}'`);
  });
});

// Alone: it waits for the engine's rescan, which a busy machine slows down.
describe('a host folder that appears while print follows', () => {
  it('print -f: the notice of a host that begins shipping', async () => {
    const live = tempDir();
    writeCollected(live, 'web1', readLines(plain));
    const child = spawnCli(['print', '-f', '--json', live]);
    const done = collectRaw(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
    const until = async (what: string, ready: () => boolean) => {
      for (let waited = 0; !ready(); waited += 50) {
        if (waited > 45_000) throw new Error(`${what}: ${JSON.stringify({ out, err })}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // Following: the first dump is out (web1's 6 settled entries), so the next host is a new one.
    await until('the first dump', () => linesOf(out).length >= 6);
    const source = path.join(tempDir(), 'audit.log');
    const log = openLog(source, []);
    log.request(request({ id: 'new-1', time: '2026-11-01T12:00:00Z', decision: 'denied' }));
    log.close();
    writeCollected(live, NAME, readLines(source));
    await until('the notice', () => err.includes('a new host'));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(expectInert(r.stderr, 'print -f stderr')).toContain(`${SHOWN}: a new host in the collector`);
    expectInert(r.stdout, 'print -f stdout');
  }, 60_000);
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
