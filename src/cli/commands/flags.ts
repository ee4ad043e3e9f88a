/**
 * Flag parsing for every subcommand: node:util parseArgs in strict mode, with its errors
 * turned into one line a person can act on (`unknown option '--hots' (did you mean '--host'?)`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDurationMs } from '../../shared/time-spec.js';
import { UsageError } from './errors.js';
import { closest } from './suggest.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Every subcommand takes `-h/--help`. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export type ParsedFlags<O extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: true; strict: true }>
>;

export function parseFlags<O extends OptionSpecs>(argv: string[], options: O, allowPositionals = true): ParsedFlags<O> {
  const all = { ...options, ...HELP };
  argv = dashValuesJoined(argv, all);
  let parsed: ParsedFlags<O>;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true }) as ParsedFlags<O>;
  } catch (e) {
    throw new UsageError(diagnose(argv, all) ?? lowerFirst((e as Error).message.split('. ')[0]));
  }
  if (!allowPositionals && parsed.positionals.length > 0 && !(parsed.values as { help?: boolean }).help) {
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  }
  return parsed;
}

/**
 * `--since -1h` as `--since=-1h`: after an option that takes a value, a dash and a digit is the
 * value (a time back from now, a negative number), never an option (none is a digit), so it
 * need not be written with `=` as parseArgs would otherwise insist.
 */
function dashValuesJoined(argv: string[], options: OptionSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : /^-[^-]$/.test(arg) ? Object.keys(options).find((k) => options[k].short === arg[1]) : undefined;
    if (name !== undefined && !name.includes('=') && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** What exactly is wrong with `argv`, from parseArgs' tokens in lenient mode. */
function diagnose(argv: string[], options: OptionSpecs): string | undefined {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const longNames = Object.keys(options);
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = options[t.name];
    if (!spec) {
      const guess = t.rawName.startsWith('--') ? closest(t.name, longNames) : undefined;
      return `unknown option '${t.rawName}'${guess ? ` (did you mean '--${guess}'?)` : ''}`;
    }
    if (spec.type === 'string' && (t.value === undefined || (t.inlineValue === false && t.value.startsWith('-') && t.value !== '-'))) {
      return `option '${t.rawName}' needs a value${t.value === undefined ? '' : ` (use ${t.rawName}=${t.value} if '${t.value}' is the value)`}`;
    }
    if (spec.type === 'boolean' && t.inlineValue) return `option '${t.rawName}' takes no value`;
  }
  return undefined;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Values of a repeatable flag that also accepts comma lists: `--state denied,timeout --state failed`. */
export function listValues(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** A positive duration flag (`10s`, `15m`, `1h30m`, `250ms`) in ms, or undefined when not given. */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDurationMs(value);
  if (ms === null || ms <= 0) throw new UsageError(`--${name} takes a duration (10s, 15m, 1h), got '${value}'`);
  return ms;
}
