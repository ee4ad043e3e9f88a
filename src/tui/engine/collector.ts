/**
 * A collector directory as rsyslog leaves it (examples/rsyslog/collector.conf): one folder per
 * sending host, each holding that host's `audit.log` and its rotated set. Files at the top
 * (`unfiled.log`, rsyslog's own) and folders without an audit log are not hosts and are
 * skipped. A host folder named directly is a collector of one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRotatedSet, rotatedName } from './rotated-set.js';

/** The live log's name in each host folder (the collector's dynaFile template). */
export const COLLECTED_LOG_NAME = 'audit.log';

export interface CollectedHost {
  /** The host folder's name: Entry.origin. */
  origin: string;
  /** Its rotated set, oldest first, the live `audit.log` last (which may not exist: rotated with `nocreate`). */
  files: string[];
}

/** True when `dir` holds an audit log or a rotation of one. */
function holdsAuditLog(dir: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((name) => name === COLLECTED_LOG_NAME || rotatedName(COLLECTED_LOG_NAME, name) !== null);
}

/**
 * The hosts of a collector directory, sorted by name. Throws (fs errors) when `dir` cannot be
 * read; returns [] when it holds no host folder.
 */
export function findCollectedHosts(dir: string): CollectedHost[] {
  const hostOf = (folder: string): CollectedHost => ({ origin: path.basename(path.resolve(folder)), files: findRotatedSet(path.join(folder, COLLECTED_LOG_NAME)) });
  if (holdsAuditLog(dir)) return [hostOf(dir)];
  const hosts: CollectedHost[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(dir, entry.name);
    if (holdsAuditLog(folder)) hosts.push(hostOf(folder));
  }
  return hosts.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
}
