/**
 * Owns finding the hosts of a collector directory, and each host's rotated set.
 *
 * A collector directory as rsyslog leaves it (examples/rsyslog/collector.conf): one folder per
 * sending host, each holding that host's `audit.log` and its rotated set. Files at the top
 * (`unfiled.log`, rsyslog's own) and folders without an audit log are not hosts and are
 * skipped. A host folder named directly is a collector of one.
 */
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
 * The hosts of `dir` whose folder name is not in `known`: one read of `dir`, and only the
 * unknown folders looked into (a followed collector of thousands of hosts is looked at often).
 */
export function findNewCollectedHosts(dir: string, known: ReadonlySet<string>): CollectedHost[] {
  const own = auditLogSet(dir);
  if (own) {
    const origin = path.basename(path.resolve(dir));
    return known.has(origin) ? [] : [{ origin, files: own }];
  }
  const hosts: CollectedHost[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || known.has(entry.name)) continue;
    const files = auditLogSet(path.join(dir, entry.name));
    if (files) hosts.push({ origin: entry.name, files });
  }
  return hosts.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
}

/**
 * The hosts of a collector directory, sorted by name. Throws (fs errors) when `dir` cannot be
 * read; returns [] when it holds no host folder.
 */
export function findCollectedHosts(dir: string): CollectedHost[] {
  const own = auditLogSet(dir);
  if (own) return [{ origin: path.basename(path.resolve(dir)), files: own }];
  const hosts: CollectedHost[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const files = auditLogSet(path.join(dir, entry.name));
    if (files) hosts.push({ origin: entry.name, files });
  }
  return hosts.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
}
