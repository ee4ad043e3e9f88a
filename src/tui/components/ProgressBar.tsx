import { Text } from 'ink';
import type { IndexProgress } from '../../shared/entry.js';
import { formatBytes } from '../format/units.js';
import type { Theme } from '../theme.js';

/** While older history is indexed behind the newest entries: how far it has got. */
export function progressText(progress: IndexProgress, width: number): { bar: string; filled: number; label: string } {
  const ratio = progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : 0;
  const label = ` ${Math.floor(ratio * 100)}%  ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`;
  const prefix = 'indexing history ';
  const barWidth = Math.max(0, width - prefix.length - label.length);
  const filled = Math.round(ratio * barWidth);
  return { bar: prefix, filled, label: `${'░'.repeat(barWidth - filled)}${label}` };
}

export function ProgressBar({ progress, width, theme }: { progress: IndexProgress; width: number; theme: Theme }) {
  const { bar, filled, label } = progressText(progress, width);
  return (
    <Text wrap="truncate-end">
      <Text dimColor>{bar}</Text>
      <Text color={theme.paint('cyan')}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{label}</Text>
    </Text>
  );
}
