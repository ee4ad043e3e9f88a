#!/usr/bin/env node
/**
 * `sudo-proxy-audit`: one binary, subcommands (src/cli/commands/, one file each, loaded on
 * use). This file only dispatches and turns failures into one line and an exit code: 0
 * success, 1 a negative verdict, 2 usage or I/O error. Never a stack trace, unless
 * SUDO_PROXY_AUDIT_DEBUG is set.
 */
import fs from 'node:fs';
import { PROGRAM } from './commands/command.js';
import { EXIT_USAGE, isCliError, UsageError } from './commands/errors.js';
import { exitQuietlyOnClosedPipe, stderrLine } from './commands/output.js';
import { COMMANDS, type CommandEntry, DEFAULT_COMMAND } from './commands/registry.js';
import { closest } from './commands/suggest.js';
import { usage } from './commands/usage.js';
import { keepYoungGenerationSmall } from './young-generation.js';

const names = COMMANDS.map((c) => c.name);
const commandNamed = (name: string | undefined): CommandEntry | undefined => COMMANDS.find((c) => c.name === name);

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    process.stdout.write(usage(COMMANDS, DEFAULT_COMMAND));
    return 0;
  }
  if (first === '--version' || first === '-V') {
    process.stdout.write(`${PROGRAM} ${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    if (rest[0] === undefined) {
      process.stdout.write(usage(COMMANDS, DEFAULT_COMMAND));
      return 0;
    }
    const topic = commandNamed(rest[0]);
    if (!topic) throw new UsageError(`no command '${rest[0]}'; commands are ${names.join(', ')}`);
    process.stdout.write((await topic.load()).help);
    return 0;
  }
  const named = commandNamed(first);
  if (named) return (await named.load()).run(rest);
  // Not a command name: the default command, with every argument.
  const fallback = await (commandNamed(DEFAULT_COMMAND) as CommandEntry).load();
  try {
    return await fallback.run(argv);
  } catch (e) {
    // `sudo-proxy-audit prnit`: a missing "file" that looks like a command was a typo.
    const guess = first !== undefined && !first.startsWith('-') && !fs.existsSync(first) ? closest(first, names) : undefined;
    if (guess && isCliError(e)) throw new UsageError(`unknown command '${first}' (did you mean '${guess}'?)`);
    throw e;
  }
}

keepYoungGenerationSmall();
exitQuietlyOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const name = commandNamed(process.argv[2])?.name;
    const where = name ? `${PROGRAM} ${name}` : PROGRAM;
    // Messages quote file names, options and values as given: stderrLine escapes them.
    if (isCliError(e)) {
      stderrLine(`${where}: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    // A bug: still one line, with the stack only on request.
    const message = e instanceof Error ? e.message : String(e);
    const debug = Boolean(process.env.SUDO_PROXY_AUDIT_DEBUG);
    stderrLine(`${where}: internal error: ${message}${debug ? '' : ' (set SUDO_PROXY_AUDIT_DEBUG=1 for the details)'}`);
    if (debug) for (const line of String((e as Error)?.stack ?? '').split('\n')) stderrLine(line);
    process.exitCode = EXIT_USAGE;
  },
);
