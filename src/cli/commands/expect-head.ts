/**
 * `verify --expect-head`: the head hash recorded earlier, kept elsewhere as a witness. Files
 * have one head (`HASH`); a collector directory has one per host (`HOST=HASH`, repeatable).
 * Parsed in two steps: the syntax first, before any file is read, then against the hosts
 * found. Pure.
 */
import { escapeForTerminal } from '../../shared/sanitize.js';
import { UsageError } from './errors.js';
import { type FlagWords, type HostValue, valueForFiles, valuesForHosts } from './host-values.js';

export interface ExpectedHead {
  /** The host it names, or null for a bare HASH. */
  host: string | null;
  /** Lowercase SHA-256 hex. */
  hash: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Each value as `HASH` or `HOST=HASH`, the hash checked. */
export function parseExpectedHeads(values: readonly string[] | undefined): ExpectedHead[] {
  return (values ?? []).map((value) => {
    // (The last '=': a host folder's name may hold one, a hash never does.)
    const eq = value.lastIndexOf('=');
    const host = eq === -1 ? null : value.slice(0, eq);
    const hash = (eq === -1 ? value : value.slice(eq + 1)).toLowerCase();
    if (host === '') throw new UsageError(`--expect-head: HOST=HASH needs a host before '=', got '${escapeForTerminal(value, 80)}'`);
    if (!SHA256_HEX.test(hash)) {
      throw new UsageError(`--expect-head takes a SHA-256 hex digest (64 hex digits)${host === null ? '' : ' after HOST='}, got '${escapeForTerminal(value, 80)}'`);
    }
    return { host, hash };
  });
}

const WORDS: FlagWords = { flag: '--expect-head', placeholder: 'HASH', noun: 'head', twice: '--expect-head given twice: files have one head' };
const given = (heads: readonly ExpectedHead[]): HostValue<string>[] => heads.map((h) => ({ host: h.host, value: h.hash }));

/** The one head for files (which have one chain), or undefined. */
export const headForFiles = (heads: readonly ExpectedHead[]): string | undefined => valueForFiles(given(heads), WORDS);

/**
 * Heads by host for a collector's `origins`. A bare HASH is accepted when there is one host
 * (a host folder named directly); an unknown host is a usage error with a suggestion.
 */
export const headsForHosts = (heads: readonly ExpectedHead[], origins: readonly string[]): Map<string, string> => valuesForHosts(given(heads), origins, WORDS);
