/** `sudo-proxy-audit [view] [FILE…]`: the live viewer (the default subcommand). */
import { type Command, PROGRAM } from './command.js';
import { EXIT_OK } from './errors.js';
import { parseFlags } from './flags.js';
import { checkInputFiles, resolveInputFiles } from './inputs.js';
import { runViewer } from './viewer-loader.js';

const help = `Usage: ${PROGRAM} [view] [FILE…] [--history] [--no-follow]

Opens the live viewer on the audit log: every request as it is decided and every result as
it lands, with filters, search and a detail pane (press ? for keys, q to quit).

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log (waited for when it
does not exist yet). Several files are read in order, oldest first; only the last one is
followed. Needs a terminal: for pipes and scripts use print, stats or verify.

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
    const files = resolveInputFiles(positionals, { history: values.history });
    checkInputFiles(files, { waitForLive: follow && positionals.length === 0 });
    return runViewer({ files, follow });
  },
};
