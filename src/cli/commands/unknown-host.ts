/** The error for a host name (`--origin`, `--expect-head HOST=`) that no collected host has. */
import { escapeForTerminal } from '../../shared/sanitize.js';
import { UsageError } from './errors.js';
import { closest } from './suggest.js';

/** Hosts listed in an error, at most. */
const HOSTS_LISTED = 10;

/** `FLAG: no collected host 'web3' (did you mean 'web2'?); hosts are web1, web2`. */
export function unknownHost(flag: string, origin: string, known: readonly string[]): UsageError {
  const guess = closest(origin, known);
  const listed = known.slice(0, HOSTS_LISTED).map((h) => escapeForTerminal(h, 200));
  const more = known.length > HOSTS_LISTED ? `, … (${known.length} in all)` : '';
  return new UsageError(
    `${flag}: no collected host '${escapeForTerminal(origin, 200)}'${guess ? ` (did you mean '${escapeForTerminal(guess, 200)}'?)` : ''}; hosts are ${listed.join(', ')}${more}`,
  );
}
