import type { Line } from '../format/spans.js';
import type { Theme } from '../theme.js';
import { ScrollPane } from './ScrollPane.js';

/** The selected entry in full, scrolled to `scroll`; lines come pre-wrapped (format/detail.ts). */
export function DetailPane(props: { lines: readonly Line[]; scroll: number; height: number; width: number; theme: Theme }) {
  return <ScrollPane {...props} />;
}
