/**
 * Whoever names the directories a log lies in names what `print --json` writes in each entry's
 * `request.file` and `response.file`: a name of control characters, each escaped to six bytes,
 * took more room than the fast path made for the rest of the entry, which was cut short, and
 * the next entry was glued to it — one line a script cannot parse where two were (#17's
 * review). Every entry must be its own line, as without the long name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { cliEnv, linesOf, runCli } from '../cli/helpers.js';
import { READ_BACKS } from '../helpers/read-backs.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-long-file-name');

describe('print --json of a log under a long name of control characters', () => {
  it.each(READ_BACKS)('writes each entry whole on its own line, as under a short name; lines %s', async (_name, load) => {
    load();
    const env = cliEnv(process.env.SUDO_PROXY_AUDIT_NATIVE === '0' ? { SUDO_PROXY_AUDIT_NATIVE: '0' } : {});
    const root = tempDir();
    // 2,000 ESCs: 12 KB of `\u001b` in each entry, twice. 600 entries: past the size from
    // which the index loads the addon, so that the native way is taken where it is built.
    const long = path.join(root, ...Array.from({ length: 8 }, () => '\u001b'.repeat(250)));
    fs.mkdirSync(long, { recursive: true });
    const file = path.join(long, 'audit.log');
    generateLog({ path: file, count: 600, seed: 9 });
    const short = path.join(root, 'audit.log');
    fs.copyFileSync(file, short);

    const [underLong, underShort] = await Promise.all([runCli(['print', '--json', file], { env }), runCli(['print', '--json', short], { env })]);
    expect([underLong.code, underShort.code]).toEqual([0, 0]);
    const entries = linesOf(underShort.stdout).map((l) => JSON.parse(l) as { request: { file: string } | null; response: { file: string } | null });
    const longEntries = linesOf(underLong.stdout).map((l) => JSON.parse(l) as { request: { file: string } | null; response: { file: string } | null });
    expect(entries.length).toBeGreaterThan(300);
    expect(longEntries.length).toBe(entries.length);
    const named = (e: (typeof entries)[number], name: string) => ({ ...e, request: e.request && { ...e.request, file: name }, response: e.response && { ...e.response, file: name } });
    expect(longEntries.map((e) => named(e, 'audit.log'))).toEqual(entries.map((e) => named(e, 'audit.log')));
    expect(longEntries.find((e) => e.request !== null)?.request?.file).toBe(file);
  }, 60_000);
});
