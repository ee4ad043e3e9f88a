/**
 * The terminal around the viewer: the alternate screen (so the shell's scroll-back is left as
 * it was, and Ink's frames never scroll it) entered once and left exactly once, whichever way
 * the viewer ends — q, Ctrl-C, a signal, a crash, or process.exit from anywhere.
 */

/** Alternate screen on, cursor home, screen cleared. */
export const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H\u001b[2J';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';
/** Mouse wheel sends arrow keys in the alternate screen (xterm, VTE, tmux): scrolling without mouse capture, so text selection still works. */
export const ALT_SCROLL_ON = '\u001b[?1007h';
export const ALT_SCROLL_OFF = '\u001b[?1007l';
export const SHOW_CURSOR = '\u001b[?25h';
export const CLEAR_SCREEN = '\u001b[H\u001b[2J';
export const HIDE_CURSOR = '\u001b[?25l';

export class TerminalSession {
  private entered = false;
  private restored = false;

  constructor(private readonly out: NodeJS.WritableStream) {}

  enter(): void {
    if (this.entered) return;
    this.entered = true;
    this.write(ENTER_ALT_SCREEN + ALT_SCROLL_ON);
  }

  /** After a resize the terminal may have reflowed or cut what was drawn: start from a clean screen. */
  clear(): void {
    if (this.entered && !this.restored) this.write(CLEAR_SCREEN);
  }

  /** Idempotent: safe from every exit path, including process 'exit' (writes to a TTY are synchronous). */
  restore(): void {
    if (!this.entered || this.restored) return;
    this.restored = true;
    this.write(ALT_SCROLL_OFF + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  }

  /** Ctrl-Z: the shell's screen back, the cursor shown, until `resume`. */
  suspend(): void {
    if (this.isActive()) this.write(ALT_SCROLL_OFF + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  }

  /** After `fg`: the alternate screen again, cleared, the cursor hidden as Ink keeps it. */
  resume(): void {
    if (this.isActive()) this.write(ENTER_ALT_SCREEN + ALT_SCROLL_ON + HIDE_CURSOR);
  }

  isActive(): boolean {
    return this.entered && !this.restored;
  }

  private write(data: string): void {
    try {
      this.out.write(data);
    } catch {
      // The terminal is gone (hang-up): nothing left to restore.
    }
  }
}
