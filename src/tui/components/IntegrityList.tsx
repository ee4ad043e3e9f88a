import type { Line } from '../format/spans.js';
import type { Theme } from '../theme.js';
import { ScrollPane } from './ScrollPane.js';

/** What the log cannot vouch for (format/integrity.ts): j/k choose, Enter goes to the row in the table. */
export function IntegrityList(props: { lines: readonly Line[]; scroll: number; height: number; width: number; theme: Theme }) {
  return <ScrollPane {...props} />;
}
