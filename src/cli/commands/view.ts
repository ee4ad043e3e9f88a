/** `sudo-proxy-audit [view] [FILE…]`: the live viewer (the default subcommand). */
import type { EntryFilter } from '../../shared/entry.js';
import { type Command, PROGRAM } from './command.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { entryJson } from './entry-json.js';
import { EXIT_OK, UsageError } from './errors.js';
import { entryFilterFromFlags, FILTER_HELP, FILTER_OPTIONS, type FilterFlagValues } from './filter-flags.js';
import { parseFlags } from './flags.js';
import { resolveInputs } from './inputs.js';
import { selectOrigins, utcFlag } from './query-command.js';
import { keyForFiles, keysForHosts, parseVerificationKeys } from './verification-keys.js';
import { runViewer } from './viewer-loader.js';

const help = `Usage: ${PROGRAM} [view] [FILE… | DIR…] [--history] [--no-follow] [--clock-skew SECONDS]
       [--verification-key [HOST=]KEY | --verification-key-file FILE] [--utc] [filters]

Opens the live viewer on the audit log: every request as it is decided and every result as
it lands, with filters, search and a detail pane (press ? for keys, q to quit).

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log (waited for when it
does not exist yet). Several files are read in order, oldest first; only the last one is
followed. Needs a terminal: for pipes and scripts use print, stats or verify.

DIR, a collector directory (DIR/<host>/audit.log, as rsyslog's collector writes it): every
host's rotated set is read and followed, the hosts merged by time, exact duplicate lines
dropped; each entry shows the host it was collected from (its origin). A host that begins
shipping while the viewer follows is picked up within a few seconds.

Options:
      --history     also read each file's rotated history (FILE.1, FILE.2.gz, …)
      --no-follow   show the files as they are; do not watch for new records
      --clock-skew SECONDS
                    the detail pane flags a request whose time as sent is further than
                    this from the writer's clock (default 60: sudo-proxy refuses older)
      --verification-key [HOST=]KEY
                    the key seal init printed: the header checks every seal with it
                    (as verify does) and says "sealed until TIME · N unsealed", or the
                    first seal that fails. HOST=KEY per host for a collector directory
      --verification-key-file FILE
                    the same, read from FILE (KEY, or HOST=KEY lines)
      --utc         times in UTC, shown and typed (t), instead of local time
  -h, --help        show this help

${FILTER_HELP}
The viewer opens with the filters applied (the header names them); a filter key replaces
the flag of its kind (f the states, h the hosts, t the times…), and c clears them all.
`;

/** `--clock-skew SECONDS` in ms: a non-negative number of seconds. */
export function clockSkewFlag(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(seconds)) throw new UsageError(`--clock-skew: expected a number of seconds, got '${escapeForTerminal(text, 80)}'`);
  return seconds * 1000;
}

export const viewCommand: Command = {
  name: 'view',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      ...FILTER_OPTIONS,
      utc: { type: 'boolean' },
      history: { type: 'boolean' },
      'no-follow': { type: 'boolean' },
      'clock-skew': { type: 'string' },
      'verification-key': { type: 'string', multiple: true },
      'verification-key-file': { type: 'string' },
    });
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    utcFlag(values.utc);
    const filter = filterFlags(values);
    const follow = !values['no-follow'];
    const clockSkewMs = values['clock-skew'] === undefined ? undefined : clockSkewFlag(values['clock-skew']);
    // (Parsed before anything is read, as verify does: a bad key is a usage error at once.)
    const keys = parseVerificationKeys(values['verification-key'], values['verification-key-file']);
    const inputs = resolveInputs(positionals, { history: values.history, follow });
    // For `w`: the entries it writes as print --json writes them, and the print command that gives the same.
    const takeOut = { entryJson, printInputs: [...(values.history ? ['--history'] : []), ...positionals] };
    // Checked (a typo is an error with a suggestion), but every host stays open: o can change it.
    selectOrigins(inputs, filter?.filter.origins);
    if (inputs.kind === 'files') {
      const key = keyForFiles(keys);
      return runViewer({ files: inputs.files, follow, clockSkewMs, sealKeys: new Map(key === null ? [] : [['', key]]), filter, ...takeOut });
    }
    const sealKeys = keysForHosts(keys, inputs.hosts.map((h) => h.origin));
    return runViewer({ files: [], hosts: inputs.hosts, collectors: inputs.dirs, skipped: inputs.skippedFolders, follow, clockSkewMs, sealKeys, filter, ...takeOut });
  },
};

/** The filter flags given, as the engine's filter and as typed (for the header); undefined without any. */
export function filterFlags(values: FilterFlagValues): { filter: EntryFilter; label: string } | undefined {
  const given = Object.keys(FILTER_OPTIONS).filter((name) => values[name as keyof FilterFlagValues] !== undefined);
  if (given.length === 0) return undefined;
  const filter = entryFilterFromFlags(values, Date.now());
  const label = given
    .flatMap((name) => {
      const v = values[name as keyof FilterFlagValues];
      if (v === true) return [`--${name}`];
      return (Array.isArray(v) ? v : [String(v)]).map((one) => `--${name} ${/^[\w.:@+,/-]+$/.test(one) ? one : JSON.stringify(one)}`);
    })
    .join(' ');
  return { filter, label };
}
