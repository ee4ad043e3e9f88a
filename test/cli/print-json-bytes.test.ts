/**
 * `print --json` bytes, pinned: the output of a generated log is the same byte for byte as it
 * was before its output path was made faster (read-back in order, fewer copies). A change to
 * the JSON that is meant (a new field) updates the pin, and says so in the README.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { makeTempDirFactory, runCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-print-bytes');
const sha256 = (bytes: string | Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
/** The output with the log's path (in each entry's location) as FILE: the pin holds wherever the test runs. */
const pathless = (stdout: string, file: string) => stdout.split(file).join('FILE');

describe('print --json bytes', () => {
  it('are those pinned for a generated log of 3,000 records (1,673 entries)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    generateLog({ path: file, count: 3000, seed: 17, detailed: true });
    // The input first: when the generator changes, this says so rather than the output's pin.
    expect(sha256(fs.readFileSync(file))).toBe('4c55d2fc415528e793b7ffc17dc303d43312edaa738e3767d2a6362a72dbafd4');
    const r = await runCli(['print', '--json', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').length - 1).toBe(1673);
    expect(sha256(pathless(r.stdout, file))).toBe('55ec8357b7f66a741efe670bd112c18883832f81170beda50b8c61ef7a5f4d53');
    const events = await runCli(['print', '--json', '--events', file]);
    expect(sha256(pathless(events.stdout, file))).toBe('85aa7f0efa1309507bca098a09f94580befd6d8b803b899e4aa6195f0b680f91');
  });
});
