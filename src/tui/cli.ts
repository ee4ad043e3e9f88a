#!/usr/bin/env node
/**
 * `sudo-proxy-audit`: one binary, subcommands. Each subcommand parses its own flags with
 * node:util parseArgs and returns an exit code: 0 success, 1 a negative verdict, 2 usage or I/O.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { auditRecordJsonSchema } from '../shared/schema.js';
import { runDemo } from '../writer/demo.js';

class UsageError extends Error {}

function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'audit-log': { type: 'string' },
      rate: { type: 'string', default: '1.5' },
      count: { type: 'string' },
      speed: { type: 'string', default: '10' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`Usage: sudo-proxy-audit demo [--audit-log PATH] [--rate R] [--count N] [--speed S] [--seed N]

A simulated sudo-proxy daemon writing realistic audit records through the real writer.
  --audit-log PATH  where to write (default ./demo-logs/audit.log)
  --rate R          requests per second (default 1.5)
  --count N         stop after N requests have completed (default: run until Ctrl-C)
  --speed S         time compression: prompts and commands run S times faster (default 10)
  --seed N          reproducible traffic
`);
    return Promise.resolve(0);
  }
  const num = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} takes a number ≥ ${min}, got '${v}'`);
    return n;
  };
  const auditLog = path.resolve(values['audit-log'] ?? path.join('demo-logs', 'audit.log'));
  const handle = runDemo({
    auditLog,
    rate: num('rate', values.rate, 0.001) as number,
    count: num('count', values.count, 1),
    speed: num('speed', values.speed, 0.001) as number,
    seed: num('seed', values.seed, 0),
  });
  process.stderr.write(`demo daemon writing to ${auditLog} (Ctrl-C to stop)\n`);
  const stop = () => handle.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return handle.done.then(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const s = handle.log.stats();
    process.stderr.write(`demo daemon stopped: ${s.written} records written to ${auditLog}${s.droppedTotal ? `, ${s.droppedTotal} dropped` : ''}\n`);
    return 0;
  });
}

function schema(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: sudo-proxy-audit schema\n\nPrints the JSON Schema of one audit-log line.\n');
    return 0;
  }
  if (argv.length > 0) throw new UsageError(`schema takes no arguments, got '${argv[0]}'`);
  process.stdout.write(`${JSON.stringify(auditRecordJsonSchema(), null, 2)}\n`);
  return 0;
}

const COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = { demo, schema };

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(`Usage: sudo-proxy-audit <${Object.keys(COMMANDS).join('|')}> [--help]\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`sudo-proxy-audit: ${message}\n`);
    process.exitCode = 2;
  },
);
