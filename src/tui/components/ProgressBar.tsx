import { Text } from 'ink';
import type { IndexProgress } from '../../shared/entry.js';
import { progressText } from '../format/progress.js';
import type { Theme } from '../theme.js';

/** While older history is indexed behind the newest entries: how far it has got. */
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
