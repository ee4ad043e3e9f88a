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
import { unknownHost } from './unknown-host.js';

export interface GivenKey {
  host: string | null;
  key: Buffer;
}

function parseOne(value: string, source: string): GivenKey {
  const eq = value.indexOf('=');
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
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length === 0) throw new CliError(`${file}: no verification key in it`);
    lines.forEach((l, i) => keys.push(parseOne(l, `--verification-key-file ${file}:${i + 1}`)));
  }
  return keys;
}

/** The one key for files, or null. */
export function keyForFiles(keys: readonly GivenKey[]): Buffer | null {
  const named = keys.find((k) => k.host !== null);
  if (named) throw new UsageError(`--verification-key ${escapeForTerminal(named.host ?? '', 80)}=…: hosts are named only for a collector directory; for files give the KEY alone`);
  if (keys.length > 1) throw new UsageError('two verification keys given: files have one');
  return keys[0]?.key ?? null;
}

/** Keys by host for a collector's `origins` (a bare KEY for a single host). */
export function keysForHosts(keys: readonly GivenKey[], origins: readonly string[]): Map<string, Buffer> {
  const byHost = new Map<string, Buffer>();
  for (const k of keys) {
    let host = k.host;
    if (host === null) {
      if (origins.length !== 1) throw new UsageError(`--verification-key: a collector directory of ${origins.length} hosts takes HOST=KEY, one per host`);
      host = origins[0];
    }
    if (!origins.includes(host)) throw unknownHost('--verification-key', host, origins);
    if (byHost.has(host)) throw new UsageError(`--verification-key: two keys for host '${escapeForTerminal(host, 200)}'`);
    byHost.set(host, k.key);
  }
  return byHost;
}
