/**
 * `sudo-proxy-audit verify`: walks the hash chain across the files in order (a rotated set
 * oldest first) and gives a verdict: exit 0 `ok: N records, head <hash>`, or exit 1 with the
 * first break, its file:line and kind. Over a collector directory, each host's chain is put
 * back in order first (duplicates dropped, late batches placed by seq) and judged on its own.
 */
import { type ChainReport, verifyChain } from '../../shared/chain.js';
import path from 'node:path';
import { sealStatePath } from '../../shared/seal-state.js';
import { SealChecker, type SealVerdict } from '../../shared/seal.js';
import { CollectedFilesChanged, inPlanOrder, planCollectedOrder } from '../../shared/chain-order.js';
import { escapeForTerminal, jsonForTerminal } from '../../shared/sanitize.js';
import type { CollectedHost } from '../../engine/collector-dir.js';
import { rotationBase } from '../../engine/rotated-set.js';
import { type Command, PROGRAM } from './command.js';
import { CliError, EXIT_OK, EXIT_VERDICT, isCliError } from './errors.js';
import { headForFiles, headsForHosts, parseExpectedHeads } from './expect-head.js';
import { durationFlag, parseFlags } from './flags.js';
import { resolveInputs } from './inputs.js';
import { chainLinesOfFiles, type DamagedFile, recordProblem } from './lines.js';
import { stderrLine, verdictOutlivesItsReader } from './output.js';
import { readStateSummary } from './seal-state-read.js';
import { keyForFiles, keysForHosts, parseVerificationKeys } from './verification-keys.js';
import { fleetJson, fleetLine, fleetOk, type HostVerdict, hostLine, MAX_LISTED, reportJson, sealSummary, summary, verified } from './verify-format.js';

const help = `Usage: ${PROGRAM} verify [FILE… | DIR…] [--history] [--expect-head [HOST=]HASH]
                       [--verification-key [HOST=]KEY | --verification-key-file FILE] [--json]

Checks the hash chain of an audit log: every record carries the SHA-256 of the line before
it, so a modified, deleted, inserted or reordered line — or a file missing from a rotated
set — breaks the chain at a place this command names. Files are read in the order given
(oldest first); names of one rotated set (audit.log audit.log.1 audit.log.2.gz, or only the
rotated ones) are put oldest first whatever their order. Gzip files are read transparently.

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log. With --history and the
live file rotated away (logrotate nocreate, no record since), its rotated files are checked.

DIR, a collector directory (DIR/<host>/audit.log, as rsyslog's collector writes it): each
host's chain is checked on its own, across its rotated set. A shipper may deliver a line
twice or a batch late: exact duplicate lines are dropped and records put in seq order first,
and both are reported as facts, not breaks. A modified, deleted, inserted or forged record is
still a break.

Options:
      --history           also read each file's rotated history (FILE.1, FILE.2.gz, …)
      --expect-head HASH  the head hash recorded earlier (e.g. by cron, kept elsewhere);
                          a log that no longer contains it was truncated or rewritten.
                          For a collector directory HOST=HASH, repeatable, one per host
      --verification-key KEY
                          the key seal init printed: checks every seal record's MAC
                          under its epoch's key and that epochs follow each other, and
                          says how far the log is sealed. HOST=KEY per host for a
                          collector directory, repeatable
      --verification-key-file FILE
                          the same, read from FILE (KEY, or HOST=KEY lines)
      --seal-interval DURATION
                          the writer's seal interval (default 15m): a last seal older
                          than this before the last record is warned about
      --strict            exit 1 also when malformed lines were found (lines that are
                          no record: the chain is checked past them)
      --json              one JSON object instead of text
  -h, --help              show this help

Output: "ok: N records, head HASH" (exit 0) or "break at FILE:LINE (KIND): …" (exit 1),
KIND being modified, deleted, inserted, reordered or restarted. A gzip file cut short or
corrupt part way is named on stderr, its lines up to there checked and the other files read
after it; the verdict is then "damaged: FILE lost its rest; …" (exit 1). With a key, then "sealed
through seq N at TIME …; M records after it unsealed" or "seal failure at FILE:LINE (KIND): …"
(exit 1), KIND being mac, missing-epoch, reordered, other-log or malformed. Records after
the last seal are not covered: whoever holds the host may have rewritten them. For a collector directory,
one such line per host, as "HOST: ok: … (D duplicate lines dropped, L records arrived late)",
then "verified N hosts: all ok" or which are broken or not verified (a host whose log is
unreadable is skipped and named); exit 0 only when every host is ok and none was skipped.
Malformed lines are listed on stderr and counted in the ok line; --strict makes them exit 1.
Exit 2: usage or I/O error.
`;

/**
 * Malformed lines (torn by a crash, garbage, bytes that are not UTF-8) do not break the chain
 * by themselves, but a reviewer should see them: the first MAX_LISTED, and how many more.
 */
function reportMalformedLines(report: ChainReport): void {
  const listed = report.malformed.slice(0, MAX_LISTED);
  for (const m of listed) {
    stderrLine(`${m.file}:${m.line}: not a record (${m.reason}); the chain is checked past it`);
  }
  const more = report.malformedCount - listed.length;
  if (more > 0) stderrLine(`… and ${more} more malformed line${more === 1 ? '' : 's'} (counted, not listed)`);
}

/**
 * One host's lines in collected order, then its chain: the files are read twice (where each
 * line goes, then the lines in that order; more when a batch arrived very late), so a big
 * host needs little memory.
 */
function verifyCollectedHost(host: CollectedHost, expectHead: string | undefined, seals: SealChecker): HostVerdict {
  // Each pass reads the files again and finds the same damage: told once per file.
  const damaged = new Map<string, DamagedFile>();
  const onDamaged = (d: DamagedFile) => void damaged.set(d.file, d);
  const plan = planCollectedOrder(chainLinesOfFiles(host.files, onDamaged));
  let report: ChainReport;
  try {
    report = verifyChain(inPlanOrder(plan, () => chainLinesOfFiles(host.files, onDamaged)), { expectHead, judge: recordProblem, onRecord: (r) => seals.add(r) });
  } catch (e) {
    throw e instanceof CollectedFilesChanged ? new CliError(`${host.origin}: ${e.message}`) : e;
  }
  const { duplicates, lateArrivals, maxLateness } = plan;
  return { origin: host.origin, files: host.files, report, damaged: [...damaged.values()], seal: seals.finish(), duplicates, lateArrivals, maxLateness };
}

/** A gzip file cut short or corrupt part way, in the words print's engine notice uses. */
function reportDamaged(damaged: readonly DamagedFile[]): void {
  for (const d of damaged) stderrLine(`${PROGRAM}: ${d.message}`);
}

/** The seal verdict's warnings, one line each on stderr. */
function reportSealWarnings(seal: SealVerdict | undefined, origin?: string): void {
  for (const w of seal?.warnings ?? []) stderrLine(`warning: ${origin === undefined ? '' : `${origin}: `}${w}`);
}

/**
 * The sealing state beside the live log, when there is one (verify on the log's own host):
 * a log whose last seal is older than the state's epoch says was truncated.
 */
function checkSealState(seals: SealChecker, files: readonly string[]): void {
  const last = files[files.length - 1];
  // Only when the live log is given (last, as a rotated set is ordered): older files end before the state's epoch.
  if (last === undefined || rotationBase(path.basename(last)) !== null) return;
  const statePath = sealStatePath(path.resolve(last));
  const state = readStateSummary(statePath);
  if (state !== null) seals.checkState(state, statePath);
}

export const verifyCommand: Command = {
  name: 'verify',
  help,
  run(argv) {
    const { values, positionals } = parseFlags(argv, {
      history: { type: 'boolean' },
      'expect-head': { type: 'string', multiple: true },
      'verification-key': { type: 'string', multiple: true },
      'verification-key-file': { type: 'string' },
      'seal-interval': { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    const heads = parseExpectedHeads(values['expect-head']);
    const keys = parseVerificationKeys(values['verification-key'], values['verification-key-file']);
    const intervalMs = durationFlag('seal-interval', values['seal-interval']);
    const inputs = resolveInputs(positionals, { history: values.history });
    verdictOutlivesItsReader();
    // --strict: lines the chain was checked past (junk put between records, a torn write) fail the verdict too.
    const strictFails = (report: ChainReport) => values.strict === true && report.malformedCount > 0;

    if (inputs.kind === 'files') {
      const expectHead = headForFiles(heads);
      const damaged: DamagedFile[] = [];
      const seals = new SealChecker(keyForFiles(keys), { intervalMs });
      const report = verifyChain(chainLinesOfFiles(inputs.files, (d) => damaged.push(d)), { expectHead, judge: recordProblem, onRecord: (r) => seals.add(r) });
      checkSealState(seals, inputs.files);
      const seal = seals.finish();
      if (values.json) {
        process.stdout.write(`${jsonForTerminal(reportJson(inputs.files, report, damaged, seal))}\n`);
      } else {
        reportDamaged(damaged);
        reportMalformedLines(report);
        reportSealWarnings(seal);
        process.stdout.write(`${escapeForTerminal(summary(report, damaged))}\n`);
        const sealed = report.ok ? sealSummary(seal) : null;
        if (sealed !== null) process.stdout.write(`${escapeForTerminal(sealed)}\n`);
      }
      return verified(report, damaged, seal) && !strictFails(report) ? EXIT_OK : EXIT_VERDICT;
    }

    const origins = inputs.hosts.map((h) => h.origin);
    const expected = headsForHosts(heads, origins);
    const hostKeys = keysForHosts(keys, origins);
    const verdicts: HostVerdict[] = [];
    const skipped = [...inputs.skipped];
    for (const host of inputs.hosts) {
      const seals = new SealChecker(hostKeys.get(host.origin) ?? null, { intervalMs });
      let verdict: HostVerdict;
      try {
        verdict = verifyCollectedHost(host, expected.get(host.origin), seals);
      } catch (e) {
        // A host whose files vanish or change mid-read (a sender renaming its own folder) is one
        // host not verified, counted against the verdict; it made the whole fleet's verify exit 2.
        if (!isCliError(e)) throw e;
        stderrLine(`${PROGRAM}: ${e.message}: host not verified`);
        skipped.push(host.origin);
        continue;
      }
      verdicts.push(verdict);
      if (!values.json) {
        reportDamaged(verdict.damaged);
        reportMalformedLines(verdict.report);
        reportSealWarnings(verdict.seal, host.origin);
        process.stdout.write(`${hostLine(verdict)}\n`);
      }
    }
    if (values.json) process.stdout.write(`${jsonForTerminal(fleetJson(inputs.dirs, verdicts, skipped))}\n`);
    else process.stdout.write(`${fleetLine(verdicts, skipped)}\n`);
    return fleetOk(verdicts, skipped) && !verdicts.some((v) => strictFails(v.report)) ? EXIT_OK : EXIT_VERDICT;
  },
};
