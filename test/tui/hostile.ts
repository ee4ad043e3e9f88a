/** Strings a hostile client can put in a record, each of which would act on a raw terminal. */
export const HOSTILE = {
  /** Clear the screen, then red text. */
  csi: '\u001b[2J\u001b[31mred',
  /** Set the window title (OSC 0, BEL-terminated). */
  osc: '\u001b]0;pwned\u0007',
  /** C1 CSI: an 8-bit terminal reads it as ESC [. */
  c1: '\u009b31m',
  del: 'a\u007fb',
  /** Right-to-left override: `exe.gnp` would read as `png.exe`. */
  bidi: '\u202egnp.exe',
  /** Line separator: would break a row in two. */
  lineSeparator: 'one\u2028two',
  newline: 'one\ntwo\r',
} as const;

/** Characters that must never reach the terminal raw. */
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
