/**
 * What `print` and `stats` start with: flags parsed, `--help` answered, the filter built, the
 * inputs resolved and checked (files or a collector directory), `--origin` checked against
 * the collected hosts, and the engine opened and indexed.
 */
import type { AuditEngine, EntryFilter } from '../../shared/entry.js';
import type { CollectedHost } from '../../engine/collector-dir.js';
import { openIndexedEngine } from './engine-session.js';
import { UsageError } from './errors.js';
import { FILTER_OPTIONS, type FilterFlagValues, entryFilterFromFlags } from './filter-flags.js';
import { type OptionSpecs, type ParsedFlags, parseFlags } from './flags.js';
import { type Inputs, resolveInputs } from './inputs.js';
import { unknownHost } from './unknown-host.js';

/** The flags both commands take beside their own. */
export const QUERY_OPTIONS = {
  ...FILTER_OPTIONS,
  json: { type: 'boolean' },
  history: { type: 'boolean' },
  strict: { type: 'boolean' },
  utc: { type: 'boolean' },
} as const;

type QueryValues = FilterFlagValues & { history?: boolean; help?: boolean; utc?: boolean };

export interface OpenedQuery<V> {
  values: V;
  filter: EntryFilter;
  inputs: Inputs;
  engine: AuditEngine;
}

export interface QueryHooks<V> {
  /** Whether the engine keeps following the files. */
  follow?: (values: V) => boolean;
  /** Called once everything is checked, just before the engine opens (which may take a while). */
  beforeOpen?: (values: V) => void;
}

/** Resolves to undefined after printing `help` (for --help). Throws CliError for bad flags or inputs. */
export async function openQuery<O extends typeof QUERY_OPTIONS & OptionSpecs>(
  argv: string[],
  options: O,
  help: string,
  hooks: QueryHooks<ParsedFlags<O>['values']> = {},
): Promise<OpenedQuery<ParsedFlags<O>['values']> | undefined> {
  const { values, positionals } = parseFlags(argv, options);
  const v = values as QueryValues;
  if (v.help) {
    process.stdout.write(help);
    return undefined;
  }
  utcFlag(v.utc);
  const filter = entryFilterFromFlags(v, Date.now());
  const follow = hooks.follow?.(values) ?? false;
  const inputs = selectOrigins(resolveInputs(positionals, { history: v.history, follow }), filter.origins);
  hooks.beforeOpen?.(values);
  const engine = await openIndexedEngine(inputs, follow);
  return { values, filter, inputs, engine };
}

/**
 * `--origin` names collected hosts: each must be one (a typo is a usage error, with a
 * suggestion), and only those hosts are opened. Over files, which have no origin, it is an error.
 */
export function selectOrigins(inputs: Inputs, origins: readonly string[] | undefined): Inputs {
  if (origins === undefined) return inputs;
  if (inputs.kind === 'files') throw new UsageError('--origin selects hosts of a collector directory; the files read are not one');
  const wanted = new Set(origins);
  const known = inputs.hosts.map((h) => h.origin);
  for (const origin of wanted) if (!known.includes(origin)) throw unknownHost('--origin', origin, known);
  return { ...inputs, hosts: inputs.hosts.filter((h: CollectedHost) => wanted.has(h.origin)) };
}

/**
 * `--utc`: times are shown in UTC, and read so (`--since 09:30`, the viewer's `t`): the process
 * runs in UTC, so one zone holds for what is typed and what is shown.
 */
export function utcFlag(utc: boolean | undefined): void {
  if (utc) process.env.TZ = 'UTC';
}
