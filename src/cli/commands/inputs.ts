/**
 * What a command reads: files (the default log when none is named, its rotated history with
 * `--history`), or a collector directory (every host's rotated set, see engine/collector-dir.ts). Each
 * file is checked up front (exists, readable, a file, an audit log) so that problems are one
 * line naming the file, not a failure halfway through.
 *
 * Right after a `nocreate` rotation the live file is missing until the writer's next record;
 * with `--history` its rotated files are the whole log, so they are read (and the gap said in
 * one line on stderr), or, when following, the live file is waited for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultAuditLogPath } from '../../shared/paths.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { type CollectedHost, COLLECTED_LOG_NAME, hostFolder, namedApartFrom, RealFolders, realPathOr, scanCollector, UNNAMED_HOST_REASON, unnamedFolderKey } from '../../engine/collector-dir.js';
import { closeLogSource, type LogSource, openLogSource } from '../../engine/log-source.js';
import { type TextHead, textHeadSync } from '../../engine/read-file-sync.js';
import { findRotatedSet } from '../../engine/rotated-set.js';
import { CliError, fileError, UsageError } from './errors.js';
import { stderrLine } from './output.js';
import { orderAsRotatedSet } from './rotated.js';
import { sniffAuditLog } from './sniff.js';

/** Files read as one log, or the hosts of collector directories (each host its own log). */
/**
 * `skipped`: the origins of hosts left out as unreadable (named on stderr; `verify` counts them),
 * `skippedFolders` their folders (never picked up as new while following; those not read for their
 * names as `unnamedFolderKey`, not said again).
 */
export type Inputs = { kind: 'files'; files: string[] } | { kind: 'collector'; dirs: string[]; hosts: CollectedHost[]; skipped: string[]; skippedFolders: string[] };

/** Every file the inputs name, in reading order (a collector: host by host). */
export function inputFiles(inputs: Inputs): string[] {
  return inputs.kind === 'files' ? inputs.files : inputs.hosts.flatMap((h) => h.files);
}

const isDirectory = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false; // the file check names what is wrong with it
  }
};

/**
 * Resolves and checks what `named` points at. Directories are collector directories (the
 * history of every host is always read); files are read as before. The two do not mix.
 * `follow`: the live file may be missing (waited for) — for the default log, and for a
 * collected host whose live file was rotated away (`nocreate`); not following, such a
 * collected host's missing live file is simply left out.
 */
export function resolveInputs(named: readonly string[], options: { history?: boolean; follow?: boolean } = {}): Inputs {
  const dirs = named.filter(isDirectory);
  if (dirs.length === 0) {
    const { files, rotatedAway, awaitsRotatedAway } = resolveInputFiles(named, options);
    for (const { live, rotations } of rotatedAway) {
      process.stderr.write(
        `sudo-proxy-audit: ${escapeForTerminal(live)}: not there (rotated away; the writer creates it with its next record): reading its ${rotations} rotated file${rotations === 1 ? '' : 's'}\n`,
      );
    }
    checkInputFiles(files, { waitForLive: options.follow === true && (named.length === 0 || awaitsRotatedAway) });
    return { kind: 'files', files };
  }
  const file = named.find((p) => !dirs.includes(p));
  if (file !== undefined) {
    throw new UsageError(`give either collector directories or files, not both: '${escapeForTerminal(dirs[0], 200)}' is a directory, '${escapeForTerminal(file, 200)}' is not`);
  }
  const unique = [...new Map(dirs.map((d) => [realPathOr(d), d])).values()];
  const scanned = unique.map(collectedHostsOf);
  const { hosts, skipped } = checkCollectedHosts(
    namedApart(scanned.map((s) => s.hosts)),
    options.follow === true,
  );
  // (A folder not read for its name is skipped as an unreadable host is: `verify` counts it.)
  return {
    kind: 'collector',
    dirs: unique,
    hosts,
    skipped: [...scanned.flatMap((s) => s.unnamed.map((f) => path.basename(f))), ...skipped.map((h) => h.origin)],
    skippedFolders: [...scanned.flatMap((s) => s.unnamed.map(unnamedFolderKey)), ...skipped.map(hostFolder)],
  };
}

/**
 * The hosts of several collectors, each collector's in order: a name a collector before it has
 * too is named by its folder (`DIR/name`, DIR as given) — two machines of one short name in two
 * data centres, or a sender claiming a name another collector holds: both read, told apart.
 */
function namedApart(collectors: readonly CollectedHost[][]): CollectedHost[] {
  const taken = new Set<string>();
  const folders = new Set<string>();
  const real = new RealFolders();
  const hosts: CollectedHost[] = [];
  for (const collected of collectors) {
    for (const h of collected) {
      // (A folder read once: `DIR` and `DIR/host` both given, or a link to either, read it twice, under two names.)
      const folder = real.of(h);
      if (folders.has(folder)) continue;
      folders.add(folder);
      hosts.push(namedApartFrom(h, taken));
    }
  }
  return hosts;
}


/** The hosts of `dir`, and its host folders not read for their names (said on stderr). */
function collectedHostsOf(dir: string): { hosts: CollectedHost[]; unnamed: string[] } {
  let hosts: CollectedHost[];
  let unnamed: string[];
  try {
    ({ hosts, unnamed } = scanCollector(dir));
  } catch (e) {
    throw fileError(dir, e);
  }
  for (const folder of unnamed) stderrLine(`sudo-proxy-audit: ${folder}: ${UNNAMED_HOST_REASON}: host skipped`);
  if (hosts.length === 0) throw new CliError(`${dir}: no collected hosts (expected ${path.join(dir, '<host>', COLLECTED_LOG_NAME)})`);
  return { hosts, unnamed };
}

/**
 * Checks every host's files. A host whose files cannot be read is named on stderr and left out;
 * none readable is an error.
 */
function checkCollectedHosts(hosts: CollectedHost[], follow: boolean): { hosts: CollectedHost[]; skipped: CollectedHost[] } {
  const checked: CollectedHost[] = [];
  const skipped: Array<{ host: CollectedHost; error: CliError }> = [];
  for (const h of hosts) {
    try {
      checkInputFiles(h.files, { waitForLive: true });
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      skipped.push({ host: h, error: e });
      continue;
    }
    checked.push(follow ? h : { origin: h.origin, files: h.files.filter((f) => fs.existsSync(f)) });
  }
  if (checked.length === 0) {
    const more = skipped.length > 1 ? ` (and ${skipped.length - 1} more host${skipped.length === 2 ? '' : 's'} unreadable)` : '';
    throw new CliError(`no readable collected host: ${skipped[0].error.message}${more}`);
  }
  // One host that cannot be read (not an audit log, unreadable) is said and left out: the other hosts stay readable.
  for (const { error } of skipped) stderrLine(`sudo-proxy-audit: ${error.message}: host skipped`);
  checked.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  return { hosts: checked, skipped: skipped.map((s) => s.host) };
}

/** A live file logrotate moved away (`nocreate`) and the writer has not made again yet. */
export interface RotatedAway {
  live: string;
  /** How many rotated files of it are read instead. */
  rotations: number;
}

export interface InputFiles {
  /** Oldest first. */
  files: string[];
  /** Live files left out: their rotated files are read without them. */
  rotatedAway: RotatedAway[];
  /** The last file is a rotated-away live file kept to be followed once the writer makes it. */
  awaitsRotatedAway: boolean;
}

/**
 * The files named (or the default log), with `history` each one's rotated set, oldest first.
 * A live file that is missing while its rotated files are there was rotated away: it is left
 * out — unless `follow` and it is the last file, the one a follower waits for.
 */
export function resolveInputFiles(named: readonly string[], options: { history?: boolean; follow?: boolean } = {}): InputFiles {
  const given = named.length > 0 ? [...named] : [defaultAuditLogPath()];
  if (!options.history) return { files: [...new Set(orderAsRotatedSet(given))], rotatedAway: [], awaitsRotatedAway: false };
  // Each set ends with its live file as named, even when missing: the check decides the rest.
  const sets = given.map(findRotatedSet);
  const files = [...new Set(sets.flat())];
  const awaited = options.follow === true ? files[files.length - 1] : undefined;
  const rotatedAway = new Map<string, RotatedAway>();
  let awaitsRotatedAway = false;
  for (const set of sets) {
    const live = set[set.length - 1];
    if (set.length === 1 || fs.existsSync(live)) continue;
    if (live === awaited) awaitsRotatedAway = true;
    else rotatedAway.set(live, { live, rotations: set.length - 1 });
  }
  return { files: files.filter((f) => !rotatedAway.has(f)), rotatedAway: [...rotatedAway.values()], awaitsRotatedAway };
}

/** Throws a one-line CliError unless `file` is a readable regular file holding an audit log. */
export function checkInputFile(file: string): void {
  let source: LogSource;
  try {
    source = openLogSource(file);
  } catch (e) {
    throw fileError(file, e);
  }
  try {
    let text: TextHead;
    try {
      text = textHeadSync(source);
    } catch (e) {
      throw fileError(file, e);
    }
    if (text.kind === 'corrupt-gzip') throw new CliError(`${file}: not an audit log (corrupt gzip data)`);
    if (text.kind === 'inflates-hugely') return; // let the reader judge it line by line
    const verdict = sniffAuditLog(text.head, text.whole);
    if (!verdict.ok) throw new CliError(`${file}: ${verdict.reason}`);
  } finally {
    closeLogSource(source);
  }
}

/**
 * Checks every file. With `waitForLive`, the last (live) file may be missing: a follower
 * started before the daemon's first request waits for it. Only for the default log — a file
 * named on the command line must exist, or a typo would wait forever.
 */
export function checkInputFiles(files: readonly string[], options: { waitForLive?: boolean } = {}): void {
  files.forEach((file, i) => {
    const awaited = options.waitForLive === true && i === files.length - 1 && !fs.existsSync(file);
    if (!awaited) checkInputFile(file);
  });
}
