/** `sudo-proxy-audit stats`: an aureport-style summary of the log, or the same as JSON. */
import type { AuditEngine, EntryFilter } from '../../shared/entry.js';
import { jsonForTerminal } from '../../shared/sanitize.js';
import { type Command, PROGRAM } from './command.js';
import { EXIT_OK, EXIT_VERDICT } from './errors.js';
import { FILTER_HELP } from './filter-flags.js';
import { inputFiles } from './inputs.js';
import { verdictOutlivesItsReader } from './output.js';
import { chainStatusOf, integrityFails, integritySummary } from './log-events.js';
import { openQuery, QUERY_OPTIONS } from './query-command.js';
import { sealScansOf } from './seal-scan.js';
import { type StatsInput, statsJson, statsText } from './stats-format.js';

const help = `Usage: ${PROGRAM} stats [FILE… | DIR…] [options]

Summarises the log: requests per state, host and session; decision latency and execution
duration percentiles (p50, p95, max); request rate; the most frequent commands; anomalies
(responses without a request, duplicate ids, …) and malformed lines; integrity: the hash
chain's verdict (as \`verify\` gives it), records the writer dropped, writer starts, stops
and crashes (a start with no stop before it), and entries interrupted by them; and for a
sealed log, its seals (the last one, and how many records follow it: verify
--verification-key checks them).

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log. Several files are read
in order (oldest first); gzip files are read transparently.

DIR, a collector directory (DIR/<host>/audit.log, as rsyslog's collector writes it): every
host's rotated set is read, exact duplicate lines are dropped (and counted), and requests are
also counted per origin, the host they were collected from.

Options:
      --json      one JSON object (stable snake_case fields; see the README)
      --history   also read each file's rotated history (FILE.1, FILE.2.gz, …)
      --strict    exit 1 when malformed lines were found, the chain is broken, or the
                  writer dropped records
      --utc       times in UTC (shown with Z, and read so by --since/--until/--time)
                  instead of local time (shown with its offset, -05:00)
  -h, --help      show this help

${FILTER_HELP}
Exit status: 0 ok, 1 malformed lines, a broken chain or dropped records with --strict,
2 usage or I/O error.
`;

export const statsCommand: Command = {
  name: 'stats',
  help,
  async run(argv) {
    const opened = await openQuery(argv, QUERY_OPTIONS, help);
    if (!opened) return EXIT_OK;
    const { values, filter, inputs, engine } = opened;
    if (values.strict) verdictOutlivesItsReader();
    const stats = engine.stats(filter);
    const [first, last] = matchedEnds(engine, filter, stats.total);
    const integrity = integritySummary(engine, chainStatusOf(engine), filter);
    const input: StatsInput = {
      files: inputFiles(inputs),
      collector: inputs.kind === 'collector' ? { dirs: inputs.dirs, hosts: inputs.hosts.length, duplicateLines: engine.duplicateLines() } : null,
      stats,
      firstMs: first === -1 ? Number.NaN : engine.entry(first).timeMs,
      lastMs: last === -1 ? Number.NaN : engine.entry(last).timeMs,
      malformedCount: engine.malformedCount(),
      malformed: engine.malformed(),
      seals: sealScansOf(engine),
      integrity,
    };
    await engine.close();
    process.stdout.write(values.json ? `${jsonForTerminal(statsJson(input))}\n` : statsText(input, { utc: values.utc === true }));
    return values.strict && (input.malformedCount > 0 || integrityFails(integrity)) ? EXIT_VERDICT : EXIT_OK;
  },
};

/**
 * Positions of the first and last of the `matched` entries (-1: none). When every entry matched
 * they are the log's ends, found without the query's array of every position (2.2 MB at a
 * million entries, on top of what the stats held: #17).
 */
function matchedEnds(engine: AuditEngine, filter: EntryFilter, matched: number): [number, number] {
  if (matched === 0) return [-1, -1];
  if (matched === engine.size()) return [0, matched - 1];
  const positions = engine.query(filter);
  return [positions[0], positions[positions.length - 1]];
}
