/**
 * Width-aware cell fitting for the table and panes. Strings arriving here are already escaped
 * (no control characters); they may still hold wide (CJK, emoji) or zero-width characters,
 * so widths come from string-width per grapheme, with a fast path for printable ASCII.
 * (cli-truncate is not used: it can return one column too many when a wide character
 * straddles the cut.)
 */
import stringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * Characters that are one column and a grapheme of their own, whatever their neighbours
 * (test/tui/format/narrow.test.ts checks each against string-width): Latin-1 and Latin
 * Extended (not the soft hyphen), General Punctuation's dashes, quotes and `…`, `←↑→↓`, box
 * drawing, `✓✗`, and the glyphs the viewer draws itself (`Σ ▶ ◷ ⊘ ⊗ ● ⚠`, the sparkline's
 * blocks, …). Text made of these and ASCII needs no string-width, which takes tens of ms to
 * load (its emoji regex): `print` and `stats` never load it, nor the viewer's first screen.
 */
export const NARROW_CHARS =
  '\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u03a3\u2010-\u2027\u2030-\u205e\u2190-\u2194\u21af\u2264\u2265\u2297\u2298\u23ce\u23f5\u23f9\u2500-\u257f\u2581-\u2588\u2591\u25a0\u25a1\u25b6\u25b7\u25cf\u25f7\u2691\u26a0\u2713\u2717';
const NARROW = new RegExp(`^[${NARROW_CHARS}]*$`);
const ELLIPSIS = '…';
// Made on first use: creating one loads ICU's break rules (~10 ms), which plain text never needs.
let segmenter: Intl.Segmenter | undefined;
const segmentsOf = (text: string) => (segmenter ??= new Intl.Segmenter()).segment(text);

/** Widths of short non-ASCII strings (cells like `✓ ok`, `(local)…`): they repeat on every frame. */
const shortWidths = new Map<string, number>();
const SHORT = 64;

export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text) || NARROW.test(text)) return text.length;
  if (text.length > SHORT) return stringWidth(text);
  let w = shortWidths.get(text);
  if (w === undefined) {
    w = stringWidth(text);
    if (shortWidths.size >= 20_000) shortWidths.clear();
    shortWidths.set(text, w);
  }
  return w;
}

/** string-width costs tens of µs per call; graphemes repeat, so their widths are kept. */
const graphemeWidths = new Map<string, number>();
const GRAPHEME_CACHE_CAP = 50_000;

function graphemeWidth(g: string): number {
  if (g.length === 1 && NARROW.test(g)) return 1;
  let w = graphemeWidths.get(g);
  if (w === undefined) {
    w = stringWidth(g);
    if (graphemeWidths.size < GRAPHEME_CACHE_CAP) graphemeWidths.set(g, w);
  }
  return w;
}

/** The longest run of `graphemes`, from the first, that fits in `width` columns. */
function takeFitting(graphemes: readonly string[], width: number): { parts: string[]; used: number } {
  const parts: string[] = [];
  let used = 0;
  for (const g of graphemes) {
    const w = graphemeWidth(g);
    if (used + w > width) break;
    parts.push(g);
    used += w;
  }
  return { parts, used };
}

/** Cuts `text` to at most `width` columns, marking a cut with `…`. Never wider than `width`. */
export function truncate(text: string, width: number, position: 'end' | 'start' | 'middle' = 'end'): string {
  if (width <= 0) return '';
  // One column and one UTF-16 unit per character: cut by characters (no grapheme rules to load).
  if (PRINTABLE_ASCII.test(text) || NARROW.test(text)) {
    if (text.length <= width) return text;
    if (width === 1) return ELLIPSIS;
    if (position === 'start') return `${ELLIPSIS}${text.slice(text.length - width + 1)}`;
    if (position === 'middle') {
      const head = Math.ceil((width - 1) / 2);
      return `${text.slice(0, head)}${ELLIPSIS}${text.slice(text.length - (width - 1 - head))}`;
    }
    return `${text.slice(0, width - 1)}${ELLIPSIS}`;
  }
  if (width === 1) return displayWidth(text) <= 1 ? text : ELLIPSIS;
  if (position === 'end') {
    // Only a prefix can be shown: a 1 MB string costs no more than a short one. (A prefix
    // this long that still fits would take thousands of zero-width characters: cut it too.)
    const limit = width * 4 + 16;
    const prefix = text.length > limit ? text.slice(0, limit) : text;
    let head = '';
    let used = 0;
    let cut: string | null = null;
    for (const { segment } of segmentsOf(prefix)) {
      const w = graphemeWidth(segment);
      if (cut === null && used + w > width - 1) cut = head;
      used += w;
      if (used > width) return `${cut ?? head}${ELLIPSIS}`;
      head += segment;
    }
    return prefix === text ? text : `${cut ?? head}${ELLIPSIS}`;
  }
  // A cut at the start or in the middle needs the tail; only the last few columns' worth is read.
  const window = text.length > width * 4 + 16 ? text.slice(text.length - (width * 4 + 16)) : text;
  const graphemes = Array.from(segmentsOf(window), (g) => g.segment);
  if (window !== text) graphemes.shift(); // may be half a surrogate pair
  const total = window === text ? graphemes.reduce((n, g) => n + graphemeWidth(g), 0) : Number.POSITIVE_INFINITY;
  if (total <= width) return text;
  const tailOf = (room: number) => takeFitting([...graphemes].reverse(), room).parts.reverse().join('');
  if (position === 'start') return ELLIPSIS + tailOf(width - 1);
  const head = takeFitting(Array.from(segmentsOf(text.slice(0, width * 4 + 16)), (g) => g.segment), Math.ceil((width - 1) / 2));
  return head.parts.join('') + ELLIPSIS + tailOf(width - 1 - head.used);
}

/** Exactly `width` columns: truncated with `…` when too long, padded with spaces otherwise. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const cut = truncate(text, width);
  const gap = width - displayWidth(cut);
  if (gap <= 0) return cut;
  return align === 'right' ? ' '.repeat(gap) + cut : cut + ' '.repeat(gap);
}

/**
 * Word-wraps plain (already escaped) text to `width` columns: breaks after a space when the
 * line has one, cuts a word longer than the line. Linear in the text (wrap-ansi takes over a
 * second on a 16 K argument, which a detail pane must show at once).
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const ascii = PRINTABLE_ASCII.test(text);
  const units = ascii ? text.split('') : Array.from(segmentsOf(text), (s) => s.segment);
  const lines: string[] = [];
  let line: string[] = [];
  let widths: number[] = [];
  let used = 0;
  let lastSpace = -1;
  for (const unit of units) {
    const uw = ascii ? 1 : graphemeWidth(unit);
    if (used + uw > w && line.length > 0) {
      if (lastSpace >= 0) {
        lines.push(line.slice(0, lastSpace).join(''));
        line = line.slice(lastSpace + 1);
        widths = widths.slice(lastSpace + 1);
        used = widths.reduce((a, b) => a + b, 0);
      } else {
        lines.push(line.join(''));
        line = [];
        widths = [];
        used = 0;
      }
      lastSpace = line.lastIndexOf(' ');
    }
    line.push(unit);
    widths.push(uw);
    used += uw;
    if (unit === ' ') lastSpace = line.length - 1;
  }
  lines.push(line.join(''));
  return lines;
}

/**
 * Where `needle` is in `text` ignoring case (as the `/` search matches: lower-cased), as
 * [start, end) in `text` itself; null when it is not there. Lower-casing can lengthen a
 * character (İ → i̇): an index into the lower-cased text then points past the match (a client's
 * `İİ rm` had ` -` marked for `rm`), so each character is lowered on its own and mapped back.
 */
export function matchSpan(text: string, needle: string): [number, number] | null {
  if (needle === '') return null;
  const want = needle.toLowerCase();
  const lower = text.toLowerCase();
  if (lower.length === text.length) {
    const at = lower.indexOf(want);
    return at < 0 ? null : [at, at + want.length];
  }
  let lowered = '';
  const source: number[] = []; // for each unit of `lowered`, where its character starts in `text`
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i) as number);
    const low = ch.toLowerCase();
    for (let k = 0; k < low.length; k++) source.push(i);
    lowered += low;
    i += ch.length;
  }
  const at = lowered.indexOf(want);
  if (at < 0) return null;
  const last = source[at + want.length - 1];
  return [source[at], last + String.fromCodePoint(text.codePointAt(last) as number).length];
}
