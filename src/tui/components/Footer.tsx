import { type FooterInput, footerLine } from '../format/footer.js';
import type { Theme } from '../theme.js';
import { StyledLine } from './StyledLine.js';

/** Prompt, message, notice or key hints; the selection's position on the right. */
export function Footer({ input, theme }: { input: FooterInput; theme: Theme }) {
  return <StyledLine line={footerLine(input)} width={input.width} theme={theme} />;
}
