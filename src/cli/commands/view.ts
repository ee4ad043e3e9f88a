/** `sudo-proxy-audit [view] [FILE…]`: the live viewer (the default subcommand). */
import { type Command, PROGRAM } from './command.js';
import { EXIT_OK } from './errors.js';
import { parseFlags } from './flags.js';
import { resolveInputs } from './inputs.js';
import { runViewer } from './viewer-loader.js';

const help = `Usage: ${PROGRAM} [view] [FILE… | DIR…] [--history] [--no-follow]

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
  -h, --help        show this help
`;

export const viewCommand: Command = {
  name: 'view',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { history: { type: 'boolean' }, 'no-follow': { type: 'boolean' } });
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    const follow = !values['no-follow'];
    const inputs = resolveInputs(positionals, { history: values.history, follow });
    return runViewer(inputs.kind === 'files' ? { files: inputs.files, follow } : { files: [], hosts: inputs.hosts, collectors: inputs.dirs, skipped: inputs.skipped, follow });
  },
};
