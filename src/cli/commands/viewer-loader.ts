/**
 * The viewer (Ink + React) is loaded only by the commands that show it, so `print`, `stats`
 * and `verify` start without paying for React.
 */
import type { AuditEngine } from '../../shared/entry.js';
import type { CollectedHost } from '../../engine/collector-dir.js';

export interface ViewerOptions {
  files: string[];
  /** A collector directory's hosts, read instead of `files`. */
  hosts?: readonly CollectedHost[];
  /** The collector directories the hosts came from: followed, they are watched for new hosts. */
  collectors?: readonly string[];
  follow: boolean;
  engine?: AuditEngine;
  title?: string;
}

/** Why the viewer cannot run here, or undefined when stdin and stdout are a terminal. */
export async function notATerminal(): Promise<string | undefined> {
  if (process.stdin.isTTY && process.stdout.isTTY) return undefined;
  return (await import('../../tui/viewer.js')).NOT_A_TERMINAL_HINT;
}

export async function runViewer(options: ViewerOptions): Promise<number> {
  const viewer = await import('../../tui/viewer.js');
  return viewer.runViewer(options);
}
