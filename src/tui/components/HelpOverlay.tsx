import { helpLines } from '../help.js';
import type { Theme } from '../theme.js';
import { ScrollPane } from './ScrollPane.js';

/** Every key, from the same table the keymap is documented by, wrapped to the width. */
export function HelpOverlay({ scroll, height, width, theme }: { scroll: number; height: number; width: number; theme: Theme }) {
  return <ScrollPane lines={helpLines(width)} scroll={scroll} height={height} width={width} theme={theme} />;
}
