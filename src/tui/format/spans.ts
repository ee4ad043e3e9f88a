/** Styled text for panes whose content is computed (and wrapped) before rendering. */
import type { Color } from '../theme.js';

/** A piece of text in one style (a line is a run of them). */
export interface Span {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
}

/** One screen line of styled spans. */
export type Line = Span[];

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
