/**
 * The filter flags shared by `print` and `stats`, mapped onto the EntryFilter the TUI's
 * filter keys use, so a question asked in the TUI and on the command line has one answer.
 * Pure given the clock.
 */
import { ENTRY_STATES, type EntryFilter, type EntryState } from '../../shared/entry.js';
import { regexFilter } from '../../shared/query.js';
import { parseTimeRange, parseTimeSpec, TimeSpecError } from '../../shared/time-spec.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { UsageError } from './errors.js';
import { listValues } from './flags.js';
import { closest } from './suggest.js';

export const FILTER_OPTIONS = {
  state: { type: 'string', multiple: true },
  host: { type: 'string', multiple: true },
  origin: { type: 'string', multiple: true },
  session: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  time: { type: 'string' },
  failed: { type: 'boolean' },
  grep: { type: 'string' },
  regex: { type: 'string' },
  id: { type: 'string' },
  privileged: { type: 'boolean' },
  security: { type: 'boolean' },
  operator: { type: 'string', multiple: true },
} as const;

export const FILTER_HELP = `Filters (all must match):
      --state STATE[,STATE…]  running, ok, failed, denied, timeout, rejected, or approved
                              (= running, ok and failed); repeatable
      --host HOST             exact host label ('' for local); repeatable
      --origin HOST           collected from HOST (a host folder of the collector
                              directory read); repeatable
      --session SESSION       exact session; repeatable
      --since TIME            requests at or after TIME (by the writer's clock); TIME is
                              2h, 30m, 1h30m, "2 hours ago", -2h (that long ago), +30m
                              (from now), now, today, yesterday, 09:30 (today),
                              "yesterday 14:00", 2026-11-01, 2026-11-01T08:00 (local
                              without a zone), 2026-11-01T08:00:00Z, or @EPOCH
      --until TIME            requests before TIME, same forms
      --time A..B             both at once, as the viewer's t takes them: 08:00..09:30,
                              30m..10m, 2026-11-01..2026-11-02, 2h (since), ..10m (until)
      --failed                only executions that failed (non-zero exit, or error)
      --grep TEXT             case-insensitive substring of any of id, host, session,
                              origin, command, resolved paths, reason, or error
      --regex RE              the same fields against a regular expression (case-
                              insensitive unless RE has an upper-case letter)
      --id ID                 the entry with this id; a unique prefix is enough
      --privileged            only privileged requests
      --security              only security events: replayed requests (a request id seen
                              before, refused) and, in place, the daemon's policy changes
      --operator NAME         decided by NAME: the operator's user name or uid; repeatable
`;

export interface FilterFlagValues {
  state?: string[];
  host?: string[];
  origin?: string[];
  session?: string[];
  since?: string;
  until?: string;
  time?: string;
  failed?: boolean;
  grep?: string;
  regex?: string;
  id?: string;
  privileged?: boolean;
  security?: boolean;
  operator?: string[];
}

/** Words accepted by --state beyond the states themselves. */
const STATE_ALIASES: Record<string, readonly EntryState[]> = { approved: ['running', 'ok', 'failed'] };

/** Every word --state accepts (the shell completions offer them). */
export const STATE_WORDS: readonly string[] = [...ENTRY_STATES, ...Object.keys(STATE_ALIASES)];

function states(words: string[]): EntryState[] {
  const out = new Set<EntryState>();
  for (const word of words) {
    const w = word.toLowerCase();
    if ((ENTRY_STATES as readonly string[]).includes(w)) out.add(w as EntryState);
    else if (STATE_ALIASES[w]) for (const s of STATE_ALIASES[w]) out.add(s);
    else {
      const guess = closest(w, [...ENTRY_STATES, ...Object.keys(STATE_ALIASES)]);
      throw new UsageError(
        `unknown state '${escapeForTerminal(word, 80)}'${guess ? ` (did you mean '${guess}'?)` : ''}; states are ${[...ENTRY_STATES, ...Object.keys(STATE_ALIASES)].join(', ')}`,
      );
    }
  }
  return [...out];
}

function time(flag: string, spec: string, nowMs: number): number {
  try {
    return parseTimeSpec(spec, nowMs);
  } catch (e) {
    if (e instanceof TimeSpecError) throw new UsageError(`--${flag}: ${escapeForTerminal(e.message, 400)}`);
    throw e;
  }
}

/** The filter flags as the engine's filter; a bad state, time or expression is a UsageError. */
export function entryFilterFromFlags(values: FilterFlagValues, nowMs: number): EntryFilter {
  const filter: EntryFilter = {};
  const stateWords = listValues(values.state);
  if (values.state !== undefined) {
    if (stateWords.length === 0) throw new UsageError('--state needs at least one state');
    filter.states = states(stateWords);
  }
  if (values.host) filter.hosts = values.host;
  if (values.origin) filter.origins = values.origin;
  if (values.session) filter.sessions = values.session;
  if (values.since !== undefined) filter.sinceMs = time('since', values.since, nowMs);
  if (values.until !== undefined) filter.untilMs = time('until', values.until, nowMs);
  if (values.time !== undefined) {
    if (values.since !== undefined || values.until !== undefined) throw new UsageError('--time is --since and --until at once: give one or the other');
    const range = parseTimeRange(values.time, nowMs);
    if ('error' in range) throw new UsageError(`--time: ${escapeForTerminal(range.error, 400)}`);
    if (range.sinceMs !== undefined) filter.sinceMs = range.sinceMs;
    if (range.untilMs !== undefined) filter.untilMs = range.untilMs;
  }
  if (filter.sinceMs !== undefined && filter.untilMs !== undefined && filter.sinceMs >= filter.untilMs) {
    throw new UsageError('--since must be before --until');
  }
  if (values.failed) filter.failedOnly = true;
  if (values.grep !== undefined && values.regex !== undefined) throw new UsageError('--grep and --regex: give one or the other');
  if (values.grep !== undefined && values.grep !== '') filter.text = values.grep;
  if (values.regex !== undefined) {
    const re = regexFilter(values.regex);
    if ('error' in re) throw new UsageError(`--regex: ${escapeForTerminal(re.error, 400)}`);
    filter.regex = re.regex;
  }
  if (values.id !== undefined) {
    if (values.id === '') throw new UsageError('--id needs an id (or a prefix of one)');
    filter.idPrefix = values.id;
  }
  if (values.privileged) filter.privileged = true;
  if (values.security) filter.security = true;
  if (values.operator !== undefined) {
    const names = listValues(values.operator);
    if (names.length === 0) throw new UsageError('--operator needs a user name or uid');
    filter.operators = names;
  }
  return filter;
}
