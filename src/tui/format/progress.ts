/** The progress bar's parts while older history is indexed behind the newest entries. Pure. */
import type { IndexProgress } from '../../shared/entry.js';
import { formatBytes } from './units.js';

/** How far indexing has got: the dim prefix, how many cells are filled, and the dim rest. */
export function progressText(progress: IndexProgress, width: number): { bar: string; filled: number; label: string } {
  const ratio = progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : 0;
  const label = ` ${Math.floor(ratio * 100)}%  ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`;
  const prefix = 'indexing history ';
  const barWidth = Math.max(0, width - prefix.length - label.length);
  const filled = Math.round(ratio * barWidth);
  return { bar: prefix, filled, label: `${'░'.repeat(barWidth - filled)}${label}` };
}
