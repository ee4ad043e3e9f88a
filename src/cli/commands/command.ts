/** What every subcommand provides to the dispatcher in cli.ts (its summary is in registry.ts). */
export interface Command {
  name: string;
  /** The full `--help` text. */
  help: string;
  /** Returns the exit code; throws CliError for one-line failures. */
  run(argv: string[]): number | Promise<number>;
}

export const PROGRAM = 'sudo-proxy-audit';

/** A subcommand in registry.ts, loaded only when it runs. */
export interface CommandEntry {
  name: string;
  /** One line for the command list in `sudo-proxy-audit --help`. */
  summary: string;
  load(): Promise<Command>;
}
