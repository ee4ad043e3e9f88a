/**
 * Owns finding the hosts of a collector directory, and each host's rotated set.
 *
 * A collector directory as rsyslog leaves it (examples/rsyslog/collector.conf): one folder per
 * sending host, each holding that host's `audit.log` and its rotated set. Files at the top
 * (`unfiled.log`, rsyslog's own) and folders without an audit log are not hosts and are
 * skipped. A host folder named directly is a collector of one.
 */
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { orderRotated, type RotatedFile, rotatedName } from './rotated-set.js';

/** The live log's name in each host folder (the collector's dynaFile template). */
export const COLLECTED_LOG_NAME = 'audit.log';

export interface CollectedHost {
  /** The host folder's name: Entry.origin. */
  origin: string;
  /** Its rotated set, oldest first, the live `audit.log` last (which may not exist: rotated with `nocreate`). */
  files: string[];
  /** Its folder is a link (as the collector's listing said): its real path is looked up (`RealFolders`), not derived. */
  link?: true;
}

/**
 * The audit log's rotated set in `folder`, oldest first, ending with the live log (named even
 * when missing), or null when the folder holds neither. One directory read: a fleet has hundreds.
 */
function auditLogSet(folder: string): string[] | null {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return null;
  }
  return auditLogSetIn(folder, entries);
}

/** A listing's entry: its name and whether it is a file. */
type Listed = Pick<fs.Dirent, 'name' | 'isFile'>;

/** auditLogSet, from the folder's listing. */
function auditLogSetIn(folder: string, entries: readonly Listed[]): string[] | null {
  let live = false;
  const rotated: RotatedFile[] = [];
  for (const entry of entries) {
    if (entry.name === COLLECTED_LOG_NAME) live = true;
    else if (entry.isFile()) {
      const r = rotatedName(COLLECTED_LOG_NAME, entry.name);
      if (r) rotated.push({ path: path.join(folder, entry.name), ...r });
    }
  }
  if (!live && rotated.length === 0) return null;
  return [...orderRotated(rotated).map((r) => r.path), path.join(folder, COLLECTED_LOG_NAME)];
}

/**
 * A change to a directory this recent may share its time with the read before it: the next
 * look reads the directory again rather than trust the time.
 */
const SETTLE_MS = 2_000;

/**
 * A followed collector directory, looked at every few seconds for hosts that began shipping.
 * It is listed again only when its time or identity changed (a new host folder changes it):
 * listing 10,000 folders each time kept a following viewer busy. Folders without an audit log
 * yet are remembered and looked into each time (their log appearing does not change the
 * collector's time).
 */
export class CollectorScan {
  private listed: { mtimeMs: number; ctimeMs: number; ino: number; dev: number } | null = null;
  /** Folders that held no audit log when last listed, and whether each is a link. */
  private notYet: Array<{ name: string; link: boolean }> = [];
  /** Folders whose names are not UTF-8, by their bytes (latin1): each said once. */
  private readonly unnamed = new Set<string>();
  private unnamedNew: string[] = [];

  constructor(readonly dir: string) {}

  /**
   * The hosts whose folders (resolved paths) are not in `known`, each with its folder's name as
   * origin (fs errors thrown: gone or unreadable for now). By folder, not name: two collectors
   * may each hold a host of one name, and neither may hide the other.
   */
  newHosts(known: ReadonlySet<string>): CollectedHost[] {
    const dir = this.dir;
    const st = fs.statSync(dir);
    const l = this.listed;
    const hosts: CollectedHost[] = [];
    if (l && l.mtimeMs === st.mtimeMs && l.ctimeMs === st.ctimeMs && l.ino === st.ino && l.dev === st.dev) {
      this.notYet = this.notYet.filter(({ name, link }) => {
        if (known.has(path.resolve(dir, name))) return false;
        const files = auditLogSet(path.join(dir, name));
        if (files) hosts.push(collected(name, files, link));
        return files === null;
      });
      return sortByOrigin(hosts);
    }
    // (Timed before the listing: a change during it is a change since.)
    const settled = Date.now() - st.mtimeMs > SETTLE_MS;
    // Listed as bytes: a name that is not UTF-8 would decode to U+FFFD, a path that does not
    // exist, and its host would be dropped without a word (two such names to one origin).
    const entries: Array<Listed & { isDirectory(): boolean; link: boolean }> = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
      const bytes = entry.name;
      if (isUtf8(bytes)) {
        const name = bytes.toString();
        // A link to a folder is a host folder too (the collector's owner made it; ignored, its
        // host was dropped without a word). Read once: callers tell hosts apart by real path.
        const link = entry.isSymbolicLink();
        const folder = link ? isDirectoryAt(path.join(dir, name)) : entry.isDirectory();
        entries.push({ name, link, isFile: () => entry.isFile(), isDirectory: () => folder });
      } else if (entry.isDirectory() && !this.unnamed.has(bytes.toString('latin1'))) {
        this.unnamed.add(bytes.toString('latin1'));
        const shown = path.join(dir, escapeBytes(bytes));
        if (!known.has(unnamedFolderKey(shown))) this.unnamedNew.push(shown);
      }
    }
    const own = auditLogSetIn(dir, entries);
    if (own) {
      const origin = path.basename(path.resolve(dir));
      return known.has(path.resolve(dir)) ? [] : [collected(origin, own, fs.lstatSync(dir).isSymbolicLink())];
    }
    const notYet: Array<{ name: string; link: boolean }> = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || known.has(path.resolve(dir, entry.name))) continue;
      const files = auditLogSet(path.join(dir, entry.name));
      if (files) hosts.push(collected(entry.name, files, entry.link));
      else notYet.push({ name: entry.name, link: entry.link });
    }
    this.notYet = notYet;
    this.listed = settled ? { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, dev: st.dev } : null;
    return sortByOrigin(hosts);
  }

  /**
   * Host folders found since the last call whose names are not UTF-8, as paths with their bytes
   * escaped (`\\xff`): not read (every path here is text), said instead of dropped.
   */
  takeUnnamed(): string[] {
    return this.unnamedNew.splice(0);
  }
}

/**
 * How a folder of `takeUnnamed()` (its path as shown) is passed in `known` when it was said
 * already (at the start): not said again by the first look for new hosts. The NUL: no folder
 * read by its name is ever taken for one shown so (`web-\xff` may be a real name).
 */
export function unnamedFolderKey(shown: string): string {
  return `${path.resolve(shown)}\u0000`;
}

/** Why a folder in `takeUnnamed()` is not read. */
export const UNNAMED_HOST_REASON = 'a host folder whose name is not UTF-8: not read (rename it to read it)';

/** `bytes` as ASCII: printable ASCII as it is, any other byte (and the backslash) as `\\xNN`. */
function escapeBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return s;
}

function sortByOrigin(hosts: CollectedHost[]): CollectedHost[] {
  return hosts.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
}

function collected(origin: string, files: string[], link: boolean): CollectedHost {
  return link ? { origin, files, link } : { origin, files };
}

function isDirectoryAt(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false; // a dangling link: no folder, as one without an audit log
  }
}

/** A collected host's folder, resolved: how hosts are told apart across collectors. */
export function hostFolder(host: CollectedHost): string {
  return path.resolve(path.dirname(host.files[host.files.length - 1]));
}

/**
 * `host` named apart from the origins `taken` (it is added): a name taken is named by its folder as
 * given (`DIR/name`), and by its folder resolved when that is taken too: a collector given as `.`
 * gives `name` again, and two hosts of one name were read as one (the later one's lines dropped as
 * the earlier one's duplicates).
 */
export function namedApartFrom(host: CollectedHost, taken: Set<string>): CollectedHost {
  let origin = host.origin;
  if (taken.has(origin)) origin = path.dirname(host.files[host.files.length - 1]);
  if (taken.has(origin)) origin = hostFolder(host);
  taken.add(origin);
  return origin === host.origin ? host : { ...host, origin };
}

/**
 * Hosts' folders with their links resolved: a folder reached two ways is one host. Derived from
 * the collector's real path (looked up once) and the folder's name, unless the folder is itself
 * a link: `realpathSync` per host took ~190 ms of the first rows over 10,000 hosts.
 */
export class RealFolders {
  private readonly parents = new Map<string, string>();

  of(host: CollectedHost): string {
    const folder = hostFolder(host);
    if (host.link) return realPathOr(folder);
    const parent = path.dirname(folder);
    let real = this.parents.get(parent);
    if (real === undefined) this.parents.set(parent, (real = realPathOr(parent)));
    return path.join(real, path.basename(folder));
  }
}

/** `p` with its links resolved; as it is (resolved) when that fails: its reading then says why. */
export function realPathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The hosts of a collector directory, sorted by name. Throws (fs errors) when `dir` cannot be
 * read; returns [] when it holds no host folder.
 */
export function findCollectedHosts(dir: string): CollectedHost[] {
  return scanCollector(dir).hosts;
}

/** findCollectedHosts, and the host folders not read because their names are not UTF-8 (`takeUnnamed`). */
export function scanCollector(dir: string): { hosts: CollectedHost[]; unnamed: string[] } {
  const scan = new CollectorScan(dir);
  const hosts = scan.newHosts(new Set());
  return { hosts, unnamed: scan.takeUnnamed() };
}
