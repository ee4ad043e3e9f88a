/**
 * Values a flag may name a host for (`VALUE` or `HOST=VALUE`), as `verify --expect-head` and
 * `--verification-key` take them: files have one chain and take one bare value; a collector
 * directory takes one per host (a bare value when it has just one host). Pure.
 */
import { escapeForTerminal } from '../../shared/sanitize.js';
import { UsageError } from './errors.js';
import { unknownHost } from './unknown-host.js';

export interface HostValue<T> {
  /** The host it names, or null for a bare value. */
  host: string | null;
  value: T;
}

/** How a flag's errors name it and its value. */
export interface FlagWords {
  flag: string;
  /** As in `HOST=HASH`. */
  placeholder: string;
  /** One value, as in "two heads for host …". */
  noun: string;
  /** Said when files are given more than one value. */
  twice: string;
}

/** The one value for files (which have one chain), or undefined. */
export function valueForFiles<T>(given: readonly HostValue<T>[], words: FlagWords): T | undefined {
  const named = given.find((g) => g.host !== null);
  if (named) throw new UsageError(`${words.flag} ${escapeForTerminal(named.host ?? '', 80)}=…: hosts are named only for a collector directory; for files give the ${words.placeholder} alone`);
  if (given.length > 1) throw new UsageError(words.twice);
  return given[0]?.value;
}

/** Values by host for a collector's `origins`; an unknown host is a usage error with a suggestion. */
export function valuesForHosts<T>(given: readonly HostValue<T>[], origins: readonly string[], words: FlagWords): Map<string, T> {
  const byHost = new Map<string, T>();
  for (const g of given) {
    let host = g.host;
    if (host === null) {
      if (origins.length !== 1) throw new UsageError(`${words.flag}: a collector directory of ${origins.length} hosts takes HOST=${words.placeholder}, one per host`);
      host = origins[0];
    }
    if (!origins.includes(host)) throw unknownHost(words.flag, host, origins);
    if (byHost.has(host)) throw new UsageError(`${words.flag}: two ${words.noun}s for host '${escapeForTerminal(host, 200)}'`);
    byHost.set(host, g.value);
  }
  return byHost;
}
