/**
 * `verify --verification-key [HOST=]KEY` / `--verification-key-file FILE`: the keys `seal init`
 * printed. Files have one key; a collector directory one per host (`HOST=KEY`). A key file
 * holds the KEY alone, or `HOST=KEY` lines (blank lines and `#` comments skipped). Parsed
 * before any log is read; keys are never echoed in messages.
 */
import fs from 'node:fs';
import { parseVerificationKey } from '../../shared/seal.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { CliError, fileError, UsageError } from './errors.js';
import { type FlagWords, type HostValue, valueForFiles, valuesForHosts } from './host-values.js';

export interface GivenKey {
  host: string | null;
  key: Buffer;
}

function parseOne(value: string, source: string): GivenKey {
  // (The last '=': a host folder's name may hold one, a key never does.)
  const eq = value.lastIndexOf('=');
  const host = eq === -1 ? null : value.slice(0, eq).trim();
  if (host === '') throw new UsageError(`${source}: HOST=KEY needs a host before '='`);
  const key = parseVerificationKey(eq === -1 ? value : value.slice(eq + 1));
  // The value is not quoted back: it may be a key with one digit wrong.
  if (key === null) throw new UsageError(`${source} takes the 64 hex digits seal init printed${host === null ? '' : ` after ${escapeForTerminal(host, 80)}=`}`);
  return { host, key };
}

/** The keys of the flags, in order. */
export function parseVerificationKeys(values: readonly string[] | undefined, file: string | undefined): GivenKey[] {
  const keys = (values ?? []).map((v) => parseOne(v, '--verification-key'));
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw fileError(file, e);
    }
    // Numbered before blank lines and comments are skipped: an error names the file's own line.
    const lines = text.split('\n').map((l, i) => ({ text: l.trim(), line: i + 1 })).filter((l) => l.text !== '' && !l.text.startsWith('#'));
    if (lines.length === 0) throw new CliError(`${file}: no verification key in it`);
    for (const l of lines) keys.push(parseOne(l.text, `--verification-key-file ${file}:${l.line}`));
  }
  return keys;
}

const WORDS: FlagWords = { flag: '--verification-key', placeholder: 'KEY', noun: 'key', twice: 'two verification keys given: files have one' };
const given = (keys: readonly GivenKey[]): HostValue<Buffer>[] => keys.map((k) => ({ host: k.host, value: k.key }));

/** The one key for files, or null. */
export const keyForFiles = (keys: readonly GivenKey[]): Buffer | null => valueForFiles(given(keys), WORDS) ?? null;

/** Keys by host for a collector's `origins` (a bare KEY for a single host). */
export const keysForHosts = (keys: readonly GivenKey[], origins: readonly string[]): Map<string, Buffer> => valuesForHosts(given(keys), origins, WORDS);
