/**
 * The viewer's filter: a state preset cycled with `f`, plus host, origin (the collected host,
 * when reading a collector directory), session and time range.
 * Turned into the engine's EntryFilter (shared with the CLI's flags) and into a short
 * description for the header. Pure.
 */
import type { EntryFilter, EntryState } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import type { TimeRange } from '../../shared/time-spec.js';

export interface StatePreset {
  label: string;
  states: readonly EntryState[] | null;
  /** Only security events (replays; policy changes and chain breaks stay as rows among them, the writer's life does not). */
  security?: true;
}

/** What `f` cycles through, in order. */
export const STATE_PRESETS: readonly StatePreset[] = [
  { label: 'all', states: null },
  { label: 'denied+timeout', states: ['denied', 'timeout'] },
  { label: 'failed', states: ['failed'] },
  { label: 'running', states: ['running'] },
  { label: 'rejected', states: ['rejected'] },
  { label: 'ok', states: ['ok'] },
  { label: 'problems', states: ['failed', 'denied', 'timeout', 'rejected'] },
  { label: 'security', states: null, security: true },
];

export interface FilterState {
  /** Index into STATE_PRESETS. */
  preset: number;
  host: string | null;
  /** Entry.origin: the host a record was collected from (only a collector directory has them). */
  origin: string | null;
  session: string | null;
  time: TimeRange | null;
  /** `u`: decided by this operator (user name or uid, as `--operator`); absent or null: any. */
  operator?: string | null;
  /**
   * The command line's filter flags (`view --state denied --grep x`), as `print` reads them:
   * what the view opens with. A key's choice replaces the flag of its kind (`f` the states,
   * `h` the hosts, `t` the times…); `c` clears them with the rest.
   */
  flags?: { filter: EntryFilter; label: string } | null;
}

export const NO_FILTER: FilterState = { preset: 0, host: null, origin: null, session: null, time: null, operator: null, flags: null };

export function isFiltering(f: FilterState): boolean {
  return f.preset !== 0 || f.host !== null || f.origin !== null || f.session !== null || f.time !== null || (f.operator ?? null) !== null || (f.flags ?? null) !== null;
}

/** What the viewer's filter keys chose, over the command line's flags, as the engine's filter. */
export function entryFilterFromFilterState(f: FilterState): EntryFilter {
  const filter: EntryFilter = { ...f.flags?.filter };
  const preset = STATE_PRESETS[f.preset];
  if (preset?.states) {
    filter.states = preset.states;
    delete filter.failedOnly;
  }
  if (preset?.security) filter.security = true;
  if (f.host !== null) filter.hosts = [f.host];
  if (f.origin !== null) filter.origins = [f.origin];
  if (f.session !== null) filter.sessions = [f.session];
  if ((f.operator ?? null) !== null) filter.operators = [f.operator as string];
  if (f.time !== null) {
    delete filter.sinceMs;
    delete filter.untilMs;
    if (f.time.sinceMs !== undefined) filter.sinceMs = f.time.sinceMs;
    if (f.time.untilMs !== undefined) filter.untilMs = f.time.untilMs;
  }
  return filter;
}

/** `(local)` stands for the empty host label, in the table and in the `h` prompt. */
export const LOCAL_HOST = '(local)';

/** Short, escaped descriptions of each active part, e.g. `failed`, `host web-01`. */
export function describeFilter(f: FilterState): string[] {
  const parts: string[] = [];
  if (f.flags) parts.push(escapeForTerminal(f.flags.label, 60));
  if (f.preset !== 0) parts.push(STATE_PRESETS[f.preset].label);
  if (f.origin !== null) parts.push(`origin ${escapeForTerminal(f.origin, 40)}`);
  if (f.host !== null) parts.push(`host ${f.host === '' ? LOCAL_HOST : escapeForTerminal(f.host, 40)}`);
  if (f.session !== null) parts.push(`session ${escapeForTerminal(f.session, 40)}`);
  if ((f.operator ?? null) !== null) parts.push(`operator ${escapeForTerminal(f.operator as string, 40)}`);
  if (f.time !== null) parts.push(`time ${escapeForTerminal(f.time.label, 40)}`);
  return parts;
}
