/** `sudo-proxy-audit [view] [FILE…]`: the live viewer (the default subcommand). */
import { type Command, PROGRAM } from './command.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { entryJson } from './entry-json.js';
import { EXIT_OK, UsageError } from './errors.js';
import { parseFlags } from './flags.js';
import { resolveInputs } from './inputs.js';
import { keyForFiles, keysForHosts, parseVerificationKeys } from './verification-keys.js';
import { runViewer } from './viewer-loader.js';

const help = `Usage: ${PROGRAM} [view] [FILE… | DIR…] [--history] [--no-follow] [--clock-skew SECONDS]
       [--verification-key [HOST=]KEY | --verification-key-file FILE]

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
  -h, --help        show this help
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
    const follow = !values['no-follow'];
    const clockSkewMs = values['clock-skew'] === undefined ? undefined : clockSkewFlag(values['clock-skew']);
    // (Parsed before anything is read, as verify does: a bad key is a usage error at once.)
    const keys = parseVerificationKeys(values['verification-key'], values['verification-key-file']);
    const inputs = resolveInputs(positionals, { history: values.history, follow });
    // For `w`: the entries it writes as print --json writes them, and the print command that gives the same.
    const takeOut = { entryJson, printInputs: [...(values.history ? ['--history'] : []), ...positionals] };
    if (inputs.kind === 'files') {
      const key = keyForFiles(keys);
      return runViewer({ files: inputs.files, follow, clockSkewMs, sealKeys: new Map(key === null ? [] : [['', key]]), ...takeOut });
    }
    const sealKeys = keysForHosts(keys, inputs.hosts.map((h) => h.origin));
    return runViewer({ files: [], hosts: inputs.hosts, collectors: inputs.dirs, skipped: inputs.skipped, follow, clockSkewMs, sealKeys, ...takeOut });
  },
};
