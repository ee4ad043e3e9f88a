/** `sudo-proxy-audit stats`: an aureport-style summary of the log, or the same as JSON. */
import { type Command, PROGRAM } from './command.js';
import { openIndexedEngine } from './engine-session.js';
import { EXIT_OK, EXIT_VERDICT } from './errors.js';
import { FILTER_HELP, FILTER_OPTIONS, toEntryFilter } from './filter-flags.js';
import { parseFlags } from './flags.js';
import { checkInputFiles, resolveInputFiles } from './inputs.js';
import { safeJson } from './json.js';
import { type StatsInput, statsJson, statsText } from './stats-format.js';

const help = `Usage: ${PROGRAM} stats [FILE…] [options]

Summarises the log: requests per state, host and session; decision latency and execution
duration percentiles (p50, p95, max); request rate; the most frequent commands; anomalies
(responses without a request, duplicate ids, …) and malformed lines.

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log. Several files are read
in order (oldest first); gzip files are read transparently.

Options:
      --json      one JSON object (stable snake_case fields; see the README)
      --history   also read each file's rotated history (FILE.1, FILE.2.gz, …)
      --strict    exit 1 when malformed lines were found
      --utc       times in UTC instead of local time
  -h, --help      show this help

${FILTER_HELP}
Exit status: 0 ok, 1 malformed lines with --strict, 2 usage or I/O error.
`;

const OPTIONS = {
  ...FILTER_OPTIONS,
  json: { type: 'boolean' },
  history: { type: 'boolean' },
  strict: { type: 'boolean' },
  utc: { type: 'boolean' },
} as const;

export const statsCommand: Command = {
  name: 'stats',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    const filter = toEntryFilter(values, Date.now());
    const files = resolveInputFiles(positionals, { history: values.history });
    checkInputFiles(files);
    const engine = await openIndexedEngine(files, false);
    const positions = engine.query(filter);
    const input: StatsInput = {
      files,
      stats: engine.stats(filter),
      firstMs: positions.length > 0 ? engine.entry(positions[0]).timeMs : Number.NaN,
      lastMs: positions.length > 0 ? engine.entry(positions[positions.length - 1]).timeMs : Number.NaN,
      malformedCount: engine.malformedCount(),
      malformed: engine.malformed(),
    };
    await engine.close();
    process.stdout.write(values.json ? `${safeJson(statsJson(input))}\n` : statsText(input, { utc: values.utc === true }));
    return values.strict && input.malformedCount > 0 ? EXIT_VERDICT : EXIT_OK;
  },
};
