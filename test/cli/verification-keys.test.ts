/** `--verification-key[-file]` parsed before any log is read: errors name the flag and the key file's own line, never the key. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyForFiles, keysForHosts, parseVerificationKeys } from '../../src/cli/commands/verification-keys.js';

const KEY = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

function keyFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spa-keys-')), 'keys');
  fs.writeFileSync(file, text);
  return file;
}

describe('verification keys', () => {
  it('names the line of the key file a bad key is on, counting comments and blank lines', () => {
    const file = keyFile(`# keys kept off the hosts\n\nweb1=${KEY}\nweb2=${KEY.slice(1)}\n`);
    expect(() => parseVerificationKeys(undefined, file)).toThrow(`--verification-key-file ${file}:4 takes the 64 hex digits seal init printed after web2=`);
  });

  it("names a host whose folder name holds '=' (the key has none), on the command line and in a key file", () => {
    const keys = parseVerificationKeys([`role=web=${KEY}`], keyFile(`role=db=${OTHER}\n`));
    expect(keys.map((k) => [k.host, k.key.toString('hex')])).toEqual([
      ['role=web', KEY],
      ['role=db', OTHER],
    ]);
  });

  it('never quotes a key back', () => {
    const almost = `${KEY.slice(0, 63)}g`;
    expect(() => parseVerificationKeys([almost], undefined)).toThrow(/takes the 64 hex digits/);
    try {
      parseVerificationKeys([almost], undefined);
    } catch (e) {
      expect(String(e)).not.toContain(almost);
    }
  });

  it('gives files one key and a collector one per host', () => {
    const keys = parseVerificationKeys([`web1=${KEY}`, `web2=${OTHER}`], undefined);
    expect(() => keyForFiles(keys)).toThrow('--verification-key web1=…: hosts are named only for a collector directory; for files give the KEY alone');
    expect(() => keyForFiles(parseVerificationKeys([KEY, OTHER], undefined))).toThrow('two verification keys given: files have one');
    expect(keyForFiles(parseVerificationKeys([KEY], undefined))?.toString('hex')).toBe(KEY);
    expect([...keysForHosts(keys, ['web1', 'web2']).entries()].map(([h, k]) => [h, k.toString('hex')])).toEqual([
      ['web1', KEY],
      ['web2', OTHER],
    ]);
    expect(() => keysForHosts(parseVerificationKeys([KEY], undefined), ['web1', 'web2'])).toThrow('--verification-key: a collector directory of 2 hosts takes HOST=KEY, one per host');
    expect(() => keysForHosts(parseVerificationKeys([`web1=${KEY}`, `web1=${OTHER}`], undefined), ['web1'])).toThrow("--verification-key: two keys for host 'web1'");
  });
});
