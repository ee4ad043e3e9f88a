/**
 * The engine as the batch commands use it: opened on checked files, its notices passed on as
 * one line each on stderr, and its malformed lines reported as `file:line: reason`.
 */
import type { AuditEngine, EngineNotice } from '../../shared/entry.js';
import { CliError } from './errors.js';
import type { Inputs } from './inputs.js';
import { stderrLine } from './output.js';

/** The engine for the inputs: one over files, or one per collected host merged by time. */
export async function openEngineFor(inputs: Inputs, follow: boolean, wholeHosts = false): Promise<AuditEngine> {
  // Loaded here, after flags and files were checked: errors and --help stay fast.
  if (inputs.kind === 'collector') return (await import('../../engine/fleet-engine.js')).openFleetEngine(inputs.hosts, { follow, wholeHosts }, inputs.dirs, inputs.skippedFolders);
  return (await import('../../engine/engine.js')).openEngine([...inputs.files], { follow });
}

/**
 * Opens the engine and waits until every file is indexed. Without `follow`, a file that
 * becomes unreadable meanwhile (an `error` notice) is a one-line failure (a collected host's:
 * said, and the other hosts read), and a collector's
 * hosts are read whole one after another (nothing is shown before all are read: no newest rows first).
 */
export async function openIndexedEngine(inputs: Inputs, follow: boolean): Promise<AuditEngine> {
  const engine = await openEngineFor(inputs, follow, !follow);
  let fatal: EngineNotice | undefined;
  // Over a collector, one host's file gone or unreadable mid-read is that host's trouble, said
  // as a host skipped at the start is: one sender's folder must not fail the fleet's review.
  const collected = inputs.kind === 'collector';
  engine.on('notice', (n: EngineNotice) => {
    if (n.kind === 'error' && !follow && !collected) fatal ??= n;
    else if (n.kind === 'error' && !follow) stderrLine(`sudo-proxy-audit: ${n.message}: host read in part or not at all, its entries may be incomplete; the other hosts are read`);
    else stderrLine(`sudo-proxy-audit: ${n.message}`); // messages name their file
  });
  await engine.indexed();
  if (fatal) {
    await engine.close();
    throw new CliError(fatal.message);
  }
  return engine;
}

/**
 * Reports the writer's records of lost records — `dropped` events: records it could not write,
 * or a log file or directory deleted under it (count 0, the reason in `error`) — found since
 * `alreadyReported` of them were, as `file:line: writer (pid P): …` on stderr. Entries never
 * show them; a reviewer of `print` must still learn that records are missing.
 * Returns the new total reported.
 */
export function reportWriterGaps(engine: AuditEngine, alreadyReported: number): number {
  const gaps = engine.writerEvents().filter((w) => w.event === 'dropped');
  for (const w of gaps.slice(alreadyReported)) {
    const lost = w.dropped > 0 ? `${w.dropped} record${w.dropped === 1 ? '' : 's'} dropped${w.error ? ': ' : ''}` : '';
    stderrLine(`${w.location.file}:${w.location.line}: writer (pid ${w.pid}): ${lost}${w.error ?? ''}`);
  }
  return Math.max(alreadyReported, gaps.length);
}

/**
 * Reports malformed lines found since `alreadyReported` of them were, as `file:line: reason`
 * on stderr. The engine keeps only the most recent ones; older ones are counted.
 * Returns the new total reported.
 */
export function reportMalformed(engine: AuditEngine, alreadyReported: number): number {
  const total = engine.malformedCount();
  if (total <= alreadyReported) return alreadyReported;
  const kept = engine.malformed();
  const fresh = total - alreadyReported;
  const listed = kept.slice(Math.max(0, kept.length - fresh));
  if (listed.length < fresh) stderrLine(`sudo-proxy-audit: ${fresh - listed.length} malformed lines not listed (only the latest ${kept.length} are kept)`);
  for (const m of listed) stderrLine(`${m.file}:${m.line}: ${m.reason}`);
  return total;
}
