/**
 * `sudo-proxy-audit verify`: walks the hash chain across the files in order (a rotated set
 * oldest first) and gives a verdict: exit 0 `ok: N records, head <hash>`, or exit 1 with the
 * first break, its file:line and kind.
 */
import { type ChainReport, verifyChain } from '../../shared/chain.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { type Command, PROGRAM } from './command.js';
import { EXIT_OK, EXIT_VERDICT, UsageError } from './errors.js';
import { parseFlags } from './flags.js';
import { checkInputFiles, resolveInputFiles } from './inputs.js';
import { chainLinesOfFiles } from './lines.js';

const help = `Usage: ${PROGRAM} verify [FILE…] [--history] [--expect-head HASH] [--json]

Checks the hash chain of an audit log: every record carries the SHA-256 of the line before
it, so a modified, deleted, inserted or reordered line — or a file missing from a rotated
set — breaks the chain at a place this command names. Files are read in the order given
(oldest first); names of one rotated set (audit.log audit.log.1 audit.log.2.gz) are put
oldest first whatever their order. Gzip files are read transparently.

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log.

Options:
      --history           also read each file's rotated history (FILE.1, FILE.2.gz, …)
      --expect-head HASH  the head hash recorded earlier (e.g. by cron, kept elsewhere);
                          a log that no longer contains it was truncated or rewritten
      --json              one JSON object instead of text
  -h, --help              show this help

Output: "ok: N records, head HASH" (exit 0) or "break at FILE:LINE (KIND): …" (exit 1),
KIND being modified, deleted, inserted, reordered or restarted. Exit 2: usage or I/O error.
`;

/** The malformed lines listed in --json output; the count is always complete. */
const MAX_LISTED = 1000;

function toJson(files: readonly string[], r: ChainReport): Record<string, unknown> {
  return {
    ok: r.ok,
    files,
    records: r.records,
    unchained: r.unchained,
    head: r.head,
    first_seq: r.firstSeq,
    last_seq: r.lastSeq,
    malformed_count: r.malformed.length,
    malformed: r.malformed.slice(0, MAX_LISTED),
    break: r.break,
  };
}

function summary(r: ChainReport): string {
  if (r.break) return `break at ${r.break.file}:${r.break.line} (${r.break.kind}): ${r.break.message}`;
  const unchained = r.unchained > 0 ? ` (${r.unchained} unchained record${r.unchained === 1 ? '' : 's'} before the chain, not covered)` : '';
  return `ok: ${r.records} record${r.records === 1 ? '' : 's'}, head ${r.head ?? 'none'}${unchained}`;
}

export const verifyCommand: Command = {
  name: 'verify',
  help,
  run(argv) {
    const { values, positionals } = parseFlags(argv, {
      history: { type: 'boolean' },
      'expect-head': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    const expectHead = values['expect-head']?.toLowerCase();
    if (expectHead !== undefined && !/^[0-9a-f]{64}$/.test(expectHead)) {
      throw new UsageError(`--expect-head takes a SHA-256 hex digest (64 hex digits), got '${escapeForTerminal(values['expect-head'] ?? '', 80)}'`);
    }
    const files = resolveInputFiles(positionals, { history: values.history });
    checkInputFiles(files);
    const report = verifyChain(chainLinesOfFiles(files), { expectHead });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(toJson(files, report))}\n`);
    } else {
      // Torn lines (a crash mid-append) do not break the chain, but a reviewer should see them.
      for (const m of report.malformed.slice(0, MAX_LISTED)) {
        process.stderr.write(`${escapeForTerminal(m.file)}:${m.line}: not a record (a line torn by a crash, or garbage); the chain continues past it\n`);
      }
      if (report.malformed.length > MAX_LISTED) process.stderr.write(`… and ${report.malformed.length - MAX_LISTED} more lines that are not records\n`);
      process.stdout.write(`${escapeForTerminal(summary(report))}\n`);
    }
    return report.ok ? EXIT_OK : EXIT_VERDICT;
  },
};
