/** Styled pieces of a line, for panes whose content is computed (and wrapped) before rendering. */
import type { Color } from '../theme.js';

export interface Segment {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
}

export type Line = Segment[];

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
