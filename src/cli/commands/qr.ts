/**
 * A QR code drawn with half-block characters, two module rows per text line, for the
 * verification key `seal init` prints: the encoding is the `qrcode` package's, the drawing
 * this file's (its own renderers add colour escapes or need a callback).
 */
import QRCode from 'qrcode';

/** Light margin around the symbol, in modules (the standard asks for 4). */
const QUIET = 4;

/**
 * `text` as a QR code of light blocks on the terminal's (dark) background, or null when it is
 * wider than `columns`.
 */
export function terminalQr(text: string, columns: number): string | null {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const width = size + 2 * QUIET;
  if (width > columns) return null;
  const dark = (row: number, col: number): boolean => row >= 0 && col >= 0 && row < size && col < size && modules.get(row, col) === 1;
  const lines: string[] = [];
  for (let row = -QUIET; row < size + QUIET; row += 2) {
    let line = '';
    for (let col = -QUIET; col < size + QUIET; col++) {
      const top = dark(row, col);
      const bottom = row + 1 < size + QUIET && dark(row + 1, col);
      const bottomLight = row + 1 < size + QUIET && !bottom;
      line += !top && bottomLight ? '█' : !top ? '▀' : bottomLight ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n');
}
