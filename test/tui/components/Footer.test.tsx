import { describe, expect, it } from 'vitest';
import { Footer } from '../../../src/tui/components/Footer.js';
import type { FooterInput } from '../../../src/tui/format/footer.js';
import { createTheme } from '../../../src/tui/theme.js';
import { renderComponent } from '../render.js';

const input: FooterInput = {
  prompt: null,
  message: null,
  notice: null,
  overlay: 'none',
  follow: false,
  unseen: 4,
  index: 10,
  length: 20,
  total: 20,
  filtered: false,
  width: 80,
};

describe('Footer', () => {
  it('shows "N new" while paused, and the position', async () => {
    const { frame } = await renderComponent(<Footer input={input} theme={createTheme(true)} />);
    expect(frame).toMatch(/^↓ 4 new · F or End to follow +10\/20$/);
  });

  it('shows the prompt while one is open', async () => {
    const { frame } = await renderComponent(
      <Footer input={{ ...input, prompt: { kind: 'time', value: '2h..', completion: -1, typed: '', hint: '' } }} theme={createTheme(true)} />,
    );
    expect(frame).toMatch(/^time: 2h\.\.█ +2h · 30m\.\.10m · 08:00\.\.09:30$/);
  });
});
