/**
 * `sudo-proxy-audit print`: joined entries, oldest first, one per line: aligned text for
 * people or `--json` for scripts; `-f` keeps printing entries as they complete.
 */
import type { AuditEngine, ChainStatus, EngineChange, Entry, EntryFilter } from '../../shared/entry.js';
import { REGEX_DEADLINE_MS, regexStopped, withinDeadline } from '../../engine/deadline.js';
import { keptPosition, newPositions, positionsMoved, positionsOfKeys } from '../../shared/held-positions.js';
import { type CompiledFilter, compileFilter, matchesFilter } from '../../shared/query.js';
import { escapeForTerminal, jsonForTerminal } from '../../shared/sanitize.js';
import { type Command, PROGRAM } from './command.js';
import { entryJson } from './entry-json.js';
import { EntryJsonBytes } from './entry-json-bytes.js';
import { dumpOnTwoThreads, twoThreadsFor } from './json-dump.js';
import { type ProcessCpuSample, sampleProcessCpu } from '../../engine/scan-worker-count.js';
import { entryLine, FOLLOW_MIN_WIDTHS, headerLine, layoutFor } from './entry-text.js';
import { reportMalformed, reportWriterGaps } from './engine-session.js';
import { CliError, EXIT_OK, EXIT_USAGE, EXIT_VERDICT, UsageError } from './errors.js';
import { FILTER_HELP } from './filter-flags.js';
import { brokenChainWarning, chainStatusOf, eventJson, eventLine, eventShown, integrityFails, integritySummary, type LogEvent, logEvents, uncheckedWarning } from './log-events.js';
import { LineOutput, stderrLine } from './output.js';
import { openQuery, QUERY_OPTIONS } from './query-command.js';

const help = `Usage: ${PROGRAM} print [FILE… | DIR…] [options]

Prints the log's requests joined with their outcomes, oldest first, one per line:
TIME HOST SESSION STATE WAIT (decision latency; auto = policy) EXIT (per stage) TOOK OUT
(stdout size, + when truncated) and COMMAND (# privileged, $ not). Strings from the log are
escaped as in the viewer. Malformed lines are reported on stderr as FILE:LINE: REASON, and
the writer's records of lost records (dropped in an outage, or a log file or directory
deleted under it) as FILE:LINE: writer (pid P): …

Between the entries, where they happened, lines starting with ── say what the writer did
(started, stopped, started after a crash, dropped records it could not write: a GAP),
where the daemon's policy changed (⚑ POLICY CHANGED: a security event, with who did it) and
where the hash chain is broken (CHAIN BROKEN); a broken chain also ends with a warning on
stderr. --no-events leaves them out. A replayed request (a security event) is marked ⚑.

Without FILE, the default log: $XDG_STATE_HOME/sudo-proxy/audit.log. Several files are read
in order (oldest first); gzip files are read transparently.

DIR, a collector directory (DIR/<host>/audit.log, as rsyslog's collector writes it): every
host's rotated set is read and the hosts merged by time, exact duplicate lines dropped; an
ORIGIN column (the "origin" field in JSON) names the host each entry was collected from.

Options:
      --json        one JSON object per entry (stable snake_case fields; see the README)
      --events      with --json: also the writer events, policy changes and chain breaks,
                    in place, as objects with an "event" field ("writer", "policy",
                    "chain_break"; entries have none)
  -f, --follow      keep running: print each entry once it completes (entries still
                    running are printed when their result arrives); Ctrl-C to stop
      --history     also read each file's rotated history (FILE.1, FILE.2.gz, …)
      --strict      exit 1 when malformed lines were found, the chain is broken, or the
                    writer dropped records
      --utc         times in UTC (shown with Z, and read so by --since/--until/--time)
                    instead of local time (shown with its offset, -05:00)
  -n, --lines N     only the newest N entries (as tail -n; with -f, then the new ones)
  -r, --reverse     newest first (not with -f)
      --no-header   no column header line (text output)
      --no-events   no writer or chain-break lines (text output)
  -h, --help        show this help

${FILTER_HELP}
Exit status: 0 ok, 1 malformed lines, a broken chain or dropped records with --strict, or
--id found no entry or more than one id, 2 usage or I/O error.
`;

const OPTIONS = {
  ...QUERY_OPTIONS,
  follow: { type: 'boolean', short: 'f' },
  'no-header': { type: 'boolean' },
  events: { type: 'boolean' },
  'no-events': { type: 'boolean' },
  lines: { type: 'string', short: 'n' },
  reverse: { type: 'boolean', short: 'r' },
} as const;

/** `-n N`: a count of entries, or undefined when not given. */
export function linesFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`-n/--lines takes a number of entries, got '${escapeForTerminal(value, 80)}'`);
  return Number(value);
}

/** Column widths come from up to this many entries spread over the output. */
const LAYOUT_SAMPLE = 2000;

/** Complete: its outcome is known, or it never will be (its writer restarted). */
const settled = (e: Entry) => e.state !== 'running' || e.anomalies.includes('interrupted');

function* sample(engine: AuditEngine, positions: Int32Array): Generator<Entry> {
  const step = Math.max(1, Math.floor(positions.length / LAYOUT_SAMPLE));
  for (let i = 0; i < positions.length; i += step) yield engine.entry(positions[i]);
}

export const printCommand: Command = {
  name: 'print',
  help,
  async run(argv) {
    let stopSignals: ReturnType<typeof untilSignal> | undefined;
    let newest: number | undefined;
    // A dump of JSON read once may take a second thread: what the machine's other processes
    // leave idle is measured from before the index (json-dump.ts). No other print reads it.
    let cpuAtStart: ProcessCpuSample | null = null;
    const opened = await openQuery(argv, OPTIONS, help, {
      follow: (values) => values.follow === true,
      // Before any output: whoever reads it may signal at once.
      beforeOpen: (values) => {
        newest = linesFlag(values.lines);
        if (values.reverse && values.follow) throw new UsageError('--reverse and --follow: the newest entry is not known yet; give one or the other');
        stopSignals = values.follow ? untilSignal() : undefined;
        if (values.json && !values.follow) cpuAtStart = sampleProcessCpu();
      },
    });
    if (!opened) return EXIT_OK;
    const { values, filter, inputs, engine } = opened;
    const follow = values.follow === true;
    const out = new LineOutput();

    // Following, Ctrl-C and SIGTERM have handlers, which never run while a regex backtracks: a deadline.
    const bounded = follow && filter.regex ? (run: () => void) => !('value' in withinDeadline(run, REGEX_DEADLINE_MS)) : null;
    const regexError = async () => {
      await engine.close();
      return new CliError(regexStopped('--regex', filter.regex), EXIT_USAGE);
    };
    let positions: Int32Array = new Int32Array(0);
    let watch: Watch | undefined;
    const query = () => {
      positions = engine.query(filter);
      // Taken in the same tick as the query: what follow must watch from, so nothing that lands
      // while the first dump is written is lost or printed twice.
      watch = follow ? watchFrom(engine, filter) : undefined;
    };
    if (!bounded) query();
    else if (bounded(query)) throw await regexError();
    if (filter.idPrefix !== undefined) positions = await oneId(engine, positions, filter.idPrefix);
    // Cut at -n: the events before the first entry kept go too.
    const cutAfter = newest !== undefined && newest < positions.length ? positions[positions.length - newest - 1] : -1;
    if (newest !== undefined) positions = positions.subarray(positions.length - Math.min(newest, positions.length));
    const origins = inputs.kind === 'collector' ? inputs.hosts.map((h) => h.origin) : undefined;
    // Column widths for text only: sampling reads up to LAYOUT_SAMPLE entries back.
    const layout = values.json ? null : layoutFor(sample(engine, positions), values.utc === true, follow ? FOLLOW_MIN_WIDTHS : undefined, origins);
    const format = layout === null ? (e: Entry) => jsonForTerminal(entryJson(e)) : (e: Entry) => entryLine(e, layout);
    // Writer events and chain breaks in place: always in text, with --events in JSON.
    const showEvents = values.json ? values.events === true : values['no-events'] !== true;
    const formatEvent = values.json ? (e: LogEvent) => jsonForTerminal(eventJson(e)) : (e: LogEvent) => eventLine(e, values.utc === true);
    const chain = chainStatusOf(engine);
    const events = showEvents ? logEvents(engine, chain, filter).filter((ev) => ev.position > cutAfter) : [];
    // Each entry straight from its lines' bytes when they are plain (following too: the dump's
    // keys tell a running entry, kept out, without making the entry — whose garbage, 576,300
    // entries over a 10,000-host fleet, took `print -f` from 242 to 428 MB, #12).
    const linesAt = values.json ? engine.entryLines?.bind(engine) : undefined;
    const fromBytes = linesAt ? new EntryJsonBytes() : null;
    if (layout !== null && !values['no-header']) out.line(headerLine(layout));
    // Following, the engine's changes are followed from the query on, while the dump is written
    // too: a change that moves positions meanwhile (a host's history merged in front, a late
    // batch put in chain order) moves what is left of the dump with it (by key), and what it
    // brings is printed as it arrives. (Else the rest of the dump read the wrong positions:
    // entries printed twice, others never.)
    const dump: Dump = { positions, keys: follow ? keysOf(engine, positions) : null, at: 0 };
    let afterChange = () => {};
    const following = follow ? startFollowing(engine, filter, watch as Watch, out, format, bounded, dump, () => afterChange()) : null;
    // Running when the follow began: printed once complete, from the running set. (Not
    // `!settled(e)`: an entry that completes while this dump is written would print twice.)
    const runningAtStart = new Set(watch?.pending.keys() ?? []);
    // Many entries and nothing between them, read once: on two cores when one is idle.
    const twoThreads = fromBytes !== null && linesAt !== undefined && events.length === 0 && cpuAtStart !== null && twoThreadsFor(engine, positions.length, cpuAtStart);
    if (twoThreads) {
      const rows = values.reverse ? positions.slice().reverse() : positions;
      await dumpOnTwoThreads(engine, rows, out, { linesAt, fromBytes, writeEntry: (p) => out.line(format(engine.entry(p))) });
    }
    for (const row of twoThreads ? [] : inOrder(dump, events, values.reverse === true)) {
      if (typeof row !== 'number') {
        out.line(formatEvent(row));
        continue;
      }
      // (Following: the key of the position just taken, read before anything awaits.)
      const running = dump.keys !== null && runningAtStart.has(dump.keys[dump.at - 1]);
      if (running) continue;
      const lines = linesAt?.(row);
      if (lines && fromBytes?.write(lines)) {
        out.lineBytes(fromBytes.bytes, fromBytes.length);
        await out.maybeFlush();
        continue;
      }
      const e = engine.entry(row);
      if (runningAtStart.has(e.key)) continue;
      out.line(format(e));
      await out.maybeFlush();
    }
    await out.flush();
    let reported = reportMalformed(engine, 0);
    // A writer's gap records are named on stderr only when no event lines say them in place
    // (--json without --events, or --no-events): a script reading entries still learns of them.
    const noteGaps = (from: number): number => (showEvents ? from : reportWriterGaps(engine, from));
    let gapsReported = noteGaps(0);
    if (!follow) {
      const malformed = engine.malformedCount();
      // As it is now: a line read back for the dump that is no longer the line indexed (rewritten
      // while this ran) broke the chain after the events above were placed; it is said here, and
      // counts for --strict (it did not: such a run exited 0 and said nothing).
      const after = chainStatusOf(engine);
      const fails = integrityFails(integritySummary(engine, after));
      await engine.close();
      const found = breaksSince(chain, after);
      for (const b of found) stderrLine(`sudo-proxy-audit: warning: while this ran, ${b.message}`);
      warnAboutChain(after, found[0] !== undefined && found[0] === after?.breaks[0]);
      return values.strict && (malformed > 0 || fails) ? EXIT_VERDICT : EXIT_OK;
    }
    const signals = stopSignals as ReturnType<typeof untilSignal>;
    signals.following();
    const said = { writers: engine.writerEvents().length, breaks: chain?.breaks.length ?? 0 };
    // New writer events and breaks, printed as they are found (after the entries printed so far).
    const onEvents = showEvents ? () => newEvents(engine, said, filter).forEach((ev) => out.line(formatEvent(ev))) : () => {};
    const onChain = () => {
      onEvents();
      void out.flush();
    };
    engine.on('chain', onChain);
    afterChange = () => {
      reported = reportMalformed(engine, reported);
      gapsReported = noteGaps(gapsReported);
      onEvents();
    };
    const timedOut = await (following as Following).until(signals.stopped);
    if (timedOut) throw await regexError();
    const last = chainStatusOf(engine);
    warnAboutChain(last);
    const fails = integrityFails(integritySummary(engine, last));
    return values.strict && (engine.malformedCount() > 0 || fails) ? EXIT_VERDICT : EXIT_OK;
  },
};

/**
 * The first dump's entries: their positions, from `at` on still to print, and (following) their
 * keys, to find them again when a change moves positions while the dump is written.
 */
interface Dump {
  positions: Int32Array;
  keys: Float64Array | null;
  at: number;
}

function keysOf(engine: AuditEngine, positions: Int32Array): Float64Array {
  return engine.keysOf ? engine.keysOf(positions) : Float64Array.from(positions, (p) => engine.entry(p).key);
}

/** The entries of the dump not printed yet, where they are after a change that moved positions. */
function moveDump(engine: AuditEngine, dump: Dump): void {
  if (dump.keys === null || dump.at >= dump.positions.length) return;
  const moved = positionsOfKeys(dump.keys.subarray(dump.at), keysOf(engine, Int32Array.from({ length: engine.size() }, (_, p) => p)));
  dump.positions = moved.positions;
  dump.keys = moved.keys;
  dump.at = 0;
}

/**
 * The entries (the dump's positions, read as it goes: a change may move them) and the events
 * among them, oldest first, or newest first: an event goes before the first entry at or after
 * its position. (After a move, the events keep the positions they had: placed near, not lost.)
 */
function* inOrder(dump: Dump, events: readonly LogEvent[], reverse: boolean): Generator<number | LogEvent> {
  if (!reverse) {
    let next = 0;
    while (dump.at < dump.positions.length) {
      // (Read at each turn: while a row is written, a change may move the dump.)
      const p = dump.positions[dump.at];
      if (next < events.length && events[next].position <= p) {
        yield events[next++];
        continue;
      }
      dump.at++;
      yield p;
    }
    while (next < events.length) yield events[next++];
    return;
  }
  const positions = dump.positions;
  let next = events.length - 1;
  for (let i = positions.length - 1; i >= 0; i--) {
    while (next >= 0 && events[next].position > positions[i]) yield events[next--];
    yield positions[i];
  }
  while (next >= 0) yield events[next--];
}

/** Candidates named when an --id prefix is ambiguous. */
const ID_CANDIDATES = 10;

/**
 * `--id ID`: the entries of one id (several when the log repeats it: duplicate-id). An id equal
 * to ID wins over longer ones it begins; otherwise more than one id is ambiguous, as in git.
 */
async function oneId(engine: AuditEngine, positions: Int32Array, prefix: string): Promise<Int32Array> {
  const shown = escapeForTerminal(prefix, 80);
  const ids = new Map<string, number[]>();
  for (const p of positions) {
    const id = engine.entry(p).id;
    const same = ids.get(id);
    if (same) same.push(p);
    else ids.set(id, [p]);
  }
  const exact = ids.get(prefix);
  if (exact) return Int32Array.from(exact);
  if (ids.size === 1) return positions;
  await engine.close();
  if (ids.size === 0) throw new CliError(`--id ${shown}: no entry has an id starting with it`, EXIT_VERDICT);
  // Quoted: an id may itself hold ", ", and would otherwise read as two candidates.
  const names = [...ids.keys()].slice(0, ID_CANDIDATES).map((id) => `'${escapeForTerminal(id, 80)}'`);
  const more = ids.size > ID_CANDIDATES ? `, … (${ids.size - ID_CANDIDATES} more)` : '';
  throw new CliError(`--id ${shown} is ambiguous: ${ids.size} ids start with it: ${names.join(', ')}${more}`, EXIT_VERDICT);
}

/** The breaks `after` lists that `before` did not (found while the dump was written). */
function breaksSince(before: ChainStatus | null, after: ChainStatus | null): ChainStatus['breaks'] {
  const place = (b: ChainStatus['breaks'][number]) => `${b.kind}\0${b.file}\0${b.line}`;
  const known = new Set((before?.breaks ?? []).map(place));
  return (after?.breaks ?? []).filter((b) => !known.has(place(b)));
}

/** The closing warnings on the chain: broken, and records it could not check. */
function warnAboutChain(chain: ChainStatus | null, firstSaid = false): void {
  for (const warning of [brokenChainWarning(chain, firstSaid), uncheckedWarning(chain)]) if (warning) stderrLine(warning);
}

/** Writer events and chain breaks found since `said` counted them (both lists only grow while following). */
function newEvents(engine: AuditEngine, said: { writers: number; breaks: number }, filter: EntryFilter): LogEvent[] {
  const out: LogEvent[] = [];
  const writers = engine.writerEvents();
  for (; said.writers < writers.length; said.writers++) {
    if (eventShown(writers[said.writers], filter)) out.push({ position: engine.size(), writer: writers[said.writers] });
  }
  const breaks = chainStatusOf(engine)?.breaks ?? [];
  for (; said.breaks < breaks.length; said.breaks++) out.push({ position: engine.size(), chainBreak: breaks[said.breaks] });
  return out;
}

/**
 * Prints entries as they complete until SIGINT/SIGTERM. Running entries wait in `pending`
 * (by key, with their position) and are printed once settled, if they match then: a state
 * filter can only be judged on the outcome.
 */
interface Watch {
  /** Positions from here on are new to the follower. */
  seen: number;
  /** Entries still running: key → position. */
  pending: Map<number, number>;
}

function watchFrom(engine: AuditEngine, filter: EntryFilter): Watch {
  const pending = new Map<number, number>();
  for (const p of engine.query({ ...filter, states: ['running'], failedOnly: undefined })) {
    const e = engine.entry(p);
    if (!settled(e)) pending.set(e.key, p);
  }
  return { seen: engine.size(), pending };
}

interface Following {
  /** Follows until `stopped` (or a regex ran out of time: true), then closes the engine. */
  until(stopped: Promise<void>): Promise<boolean>;
}

/** Begins following at once (before the first dump is written: `dump` is moved with the positions). */
function startFollowing(
  engine: AuditEngine,
  filter: EntryFilter,
  watch: Watch,
  out: LineOutput,
  format: (e: Entry) => string,
  bounded: ((run: () => void) => boolean) | null,
  dump: Dump,
  onMalformed: () => void,
): Following {
  const full: CompiledFilter = compileFilter(filter);
  // Everything but the outcome: what a still-running entry must already match.
  const beforeOutcome: CompiledFilter = compileFilter({ ...filter, states: undefined, failedOnly: undefined });
  const { pending } = watch;
  let seen = watch.seen;
  let writing = Promise.resolve();

  let timedOut = false;
  let regexStop!: () => void;
  const stoppedByRegex = new Promise<void>((resolve) => (regexStop = resolve));
  const onChange = (change: EngineChange) => {
    if (timedOut) return;
    if (!bounded) return handle(change);
    // Cut short, a batch may be half printed: the follow ends there.
    if (bounded(() => handle(change))) {
      timedOut = true;
      regexStop();
    }
  };
  const handle = (change: EngineChange) => {
    if (positionsMoved(change)) {
      moveDump(engine, dump);
      // Older entries prepended, or a fleet merged anew (a late batch, a new host): positions moved; keys did not.
      for (const [key, position] of pending) {
        const now = keptPosition(change, { key, position }, engine);
        if (now >= 0) pending.set(key, now);
        else pending.delete(key);
      }
    }
    const ready: number[] = [];
    for (const [key, p] of pending) {
      const e = engine.entry(p);
      if (e.key !== key) continue; // defensive: a position that moved without a word
      if (settled(e)) {
        pending.delete(key);
        if (matchesFilter(e, full)) ready.push(p);
      }
    }
    const size = engine.size();
    for (const p of newPositions(change, seen, size)) {
      const e = engine.entry(p);
      if (!matchesFilter(e, beforeOutcome)) continue;
      if (!settled(e)) pending.set(e.key, p);
      else if (matchesFilter(e, full)) ready.push(p);
    }
    seen = size;
    ready.sort((a, b) => a - b);
    for (const p of ready) out.line(format(engine.entry(p)));
    writing = writing.then(() => out.flush());
    onMalformed();
  };
  engine.on('change', onChange);
  return {
    async until(stopped) {
      await Promise.race([stopped, stoppedByRegex]);
      engine.off('change', onChange);
      await writing;
      await out.flush();
      await engine.close();
      return timedOut;
    },
  };
}

/**
 * Ctrl-C (or SIGTERM) ends a follow normally, exit 0. Before following has begun (indexing,
 * the first dump) it ends the process at once; after, `stopped` resolves for an orderly close.
 */
function untilSignal(): { stopped: Promise<void>; following(): void } {
  let following = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (!following) process.exit(0);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { stopped, following: () => void (following = true) };
}
