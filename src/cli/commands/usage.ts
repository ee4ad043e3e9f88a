/** `sudo-proxy-audit --help`: the command list from the registry; also the man page's start. */
import { type CommandEntry, PROGRAM } from './command.js';

/** The registry's commands come as arguments: the registry loads the completion command, which uses this. */
export function usage(commands: readonly CommandEntry[], defaultCommand: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: ${PROGRAM} [COMMAND] [OPTIONS] [FILE… | DIR…]

The sudo-proxy audit log: watch it live, print and summarise it, verify its chain.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Without a command: ${defaultCommand}. FILE defaults to $XDG_STATE_HOME/sudo-proxy/audit.log.
DIR is a collector directory, DIR/<host>/audit.log per host (see examples/rsyslog/).
'${PROGRAM} COMMAND --help' describes a command.

Options:
  -h, --help     show this help
  -V, --version  print the version

Exit status: 0 success; 1 a negative verdict (verify found a break, or --strict
found malformed lines); 2 usage or I/O error.
`;
}
