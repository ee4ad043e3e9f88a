/**
 * `sudo-proxy-audit demo`: the simulated daemon writing realistic traffic through the real
 * writer; with `--view`, the viewer on its log at the same time (what `npm start` runs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../../demo/demo.js';
import { type Command, PROGRAM } from './command.js';
import { CliError, EXIT_OK, fileError, UsageError } from './errors.js';
import { durationFlag, parseFlags } from './flags.js';
import { stderrLine } from './output.js';
import { notATerminal, runViewer } from './viewer-loader.js';

/** What stops the demo daemon (SIGHUP too: a closed terminal or ssh session). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const help = `Usage: ${PROGRAM} demo [--audit-log PATH] [--rate R] [--count N] [--speed S]
                             [--seed N] [--seal-interval DURATION] [--history DURATION]
                             [--view]

A simulated sudo-proxy daemon: requests arrive, an operator approves or denies them after a
realistic delay, approved commands run and complete. Records go through the real writer,
hash chain included.

Options:
      --audit-log PATH  where to write (default ./demo-logs/audit.log)
      --rate R          requests per second (default 1.5)
      --count N         stop after N requests have completed (default: until stopped)
      --speed S         time compression: prompts and commands run S times faster
                        (default 10)
      --seed N          reproducible traffic
      --seal-interval DURATION
                        with a sealing state (seal init --audit-log PATH): a seal at
                        most this often (default 15m; 10s to watch it happen)
      --history DURATION
                        a new log starts with this much past traffic, so a
                        viewer opens on rows (npm start: 1m)
      --view            open the viewer on the log at the same time; quitting it
                        stops the demo (what npm start runs)
  -h, --help            show this help
`;

const OPTIONS = {
  'audit-log': { type: 'string' },
  rate: { type: 'string', default: '1.5' },
  count: { type: 'string' },
  speed: { type: 'string', default: '10' },
  seed: { type: 'string' },
  'seal-interval': { type: 'string' },
  history: { type: 'string' },
  view: { type: 'boolean' },
} as const;

function numberFlag(name: string, value: string | undefined, min: number, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} takes ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${value}'`);
  }
  return n;
}

export const demoCommand: Command = {
  name: 'demo',
  help,
  async run(argv) {
    const { values } = parseFlags(argv, OPTIONS, false);
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    const options = {
      rate: numberFlag('rate', values.rate, 0.001) as number,
      count: numberFlag('count', values.count, 1, true),
      speed: numberFlag('speed', values.speed, 0.001) as number,
      seed: numberFlag('seed', values.seed, 0, true),
      sealInterval: durationFlag('seal-interval', values['seal-interval']),
      history: durationFlag('history', values.history),
    };
    // Checked before the daemon starts, so that no records are written for a viewer that cannot open.
    const noTerminal = values.view ? await notATerminal() : undefined;
    if (noTerminal) throw new CliError(noTerminal);
    const auditLog = path.resolve(values['audit-log'] ?? path.join('demo-logs', 'audit.log'));
    let existing: fs.Stats | undefined;
    try {
      existing = fs.statSync(auditLog, { throwIfNoEntry: false });
    } catch (e) {
      throw fileError(auditLog, e); // a part of the path is a file, or not searchable
    }
    if (existing && !existing.isFile()) throw new CliError(`${auditLog}: ${existing.isDirectory() ? 'is a directory' : 'not a regular file'}`);

    // Warnings are held while the writer starts (a failure becomes one error line) and, under
    // the viewer, until it has closed: the screen is the viewer's.
    const warnings: string[] = [];
    const print = (m: string) => stderrLine(`sudo-proxy-audit: ${m}`);
    let sink: (m: string) => void = (m) => void warnings.push(m);
    // The handlers before the daemon's first record: a signal between that record and them was
    // the default's (the process killed, the log left with no stop record): plain demo's came
    // after a few lines, the viewer's only once it had loaded, opened its engine and waited for
    // its first rows. (A handler runs from the event loop: `handle` is there by then.)
    let onStop: (signal: NodeJS.Signals) => void = () => undefined;
    const stopSignal = (signal: NodeJS.Signals) => onStop(signal);
    for (const s of STOP_SIGNALS) process.on(s, stopSignal);
    try {
      const handle = runDemo({ auditLog, ...options, warn: (m) => sink(m) });
      onStop = () => handle.stop();
      if (handle.log.stats().written === 0) {
        handle.stop();
        throw new CliError(`cannot write the demo log${warnings.length > 0 ? `: ${warnings[0]}` : ` ${auditLog}`}`);
      }
      if (values.view) {
        let said = false;
        const sayWarnings = () => {
          if (said) return;
          said = true;
          for (const w of warnings) print(w);
        };
        // Once the daemon has stopped the process ends with the signal's code: the viewer, if it
        // runs, has given the terminal back in the same emit (its handlers come after these).
        onStop = (signal) => {
          handle.stop();
          void handle.done.then(() => {
            sayWarnings();
            process.exit(128 + (os.constants.signals[signal] ?? 15));
          });
        };
        let code: number;
        try {
          code = await runViewer({ files: [auditLog], follow: true, title: `demo daemon → ${auditLog}` });
        } finally {
          handle.stop();
          await handle.done;
        }
        sayWarnings();
        return code;
      }
      for (const w of warnings.splice(0)) print(w);
      sink = print;
      stderrLine(`demo daemon writing to ${auditLog} (Ctrl-C to stop)`);
      await handle.done;
      const s = handle.log.stats();
      stderrLine(`demo daemon stopped: ${s.written} records written to ${auditLog}${s.droppedTotal ? `, ${s.droppedTotal} dropped` : ''}`);
      return EXIT_OK;
    } finally {
      for (const s of STOP_SIGNALS) process.off(s, stopSignal);
    }
  },
};
