/**
 * The man page sudo-proxy-audit(1), made from the same texts as `--help`: the top-level usage
 * and every registered command's help, converted to roff (man(7) macros). `npm run man`
 * writes it to man/sudo-proxy-audit.1 (package.json's `man`); test/cli/man-page.test.ts
 * regenerates it and fails when the committed page differs. Pure given the help texts.
 *
 * A help text becomes: paragraphs (filled), headings (`Options:`), option lines (`.TP`, the
 * option in bold, its summary below), and any other indented block kept as it is (`.nf`).
 */
import { optionLine, usageLines } from './help-model.js';

export interface ManPageInput {
  program: string;
  version: string;
  /** `PROGRAM --help`. */
  usage: string;
  commands: readonly { name: string; help: string }[];
}

/** Text for roff: backslashes, hyphens (so options copy as ASCII), non-ASCII by code point, and a control character at a line's start. */
export function roffText(text: string): string {
  const escaped = [...text]
    .map((c) => {
      if (c === '\\') return '\\e';
      if (c === '-') return '\\-';
      const code = c.codePointAt(0) as number;
      if (code < 0x20 || code === 0x7f) return '';
      return code > 0x7e ? `\\[u${code.toString(16).toUpperCase().padStart(4, '0')}]` : c;
    })
    .join('');
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

/** An argument of a macro line: quoted, its quotes escaped. */
const roffArg = (text: string): string => `"${roffText(text).replace(/"/g, '\\(dq')}"`;

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** `Options:`, `Filters (all must match):`: a short line of its own ending in a colon. */
const isHeading = (line: string): boolean => line.length <= 40 && /^[A-Z][^.]*:$/.test(line);

/** One help text (without its usage lines) as roff. */
export function helpToRoff(help: string): string[] {
  const lines = help.replace(/\n+$/, '').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const option = optionLine(line);
    if (option) {
      out.push('.TP', `.B ${roffArg(option.head)}`);
      if (option.summary) out.push(roffText(option.summary));
      i++;
      while (i < lines.length && lines[i].trim() !== '' && indentOf(lines[i]) > indentOf(line) && !optionLine(lines[i])) out.push(roffText(lines[i++].trim()));
      continue;
    }
    if (indentOf(line) > 0) {
      // A table or an example: kept as it is, less the block's own indentation.
      const block: string[] = [];
      while (i < lines.length && lines[i].trim() !== '' && indentOf(lines[i]) > 0 && !optionLine(lines[i])) block.push(lines[i++]);
      const base = Math.min(...block.map(indentOf));
      out.push('.PP', '.RS 4', '.nf', ...block.map((l) => roffText(l.slice(base))), '.fi', '.RE');
      continue;
    }
    if (isHeading(line)) {
      out.push('.PP', `.B ${roffArg(line.trim())}`);
      i++;
      continue;
    }
    out.push('.PP');
    while (i < lines.length && lines[i].trim() !== '' && indentOf(lines[i]) === 0 && !isHeading(lines[i])) out.push(roffText(lines[i++]));
  }
  return out;
}

/** The help text after its usage lines. */
function body(help: string): string {
  const usage = usageLines(help);
  return help.split('\n').slice(usage.length).join('\n');
}

export function manPage(input: ManPageInput): string {
  const { program, version, usage, commands } = input;
  const title = program.toUpperCase();
  const summary = body(usage).trim().split('\n')[0];
  const synopsis = [...usageLines(usage), ...commands.flatMap((c) => usageLines(c.help))].map((l) => l.replace(/^(Usage:)?\s*/, ''));
  return [
    `.\\" Generated from \`${program} --help\` and each command's --help by \`npm run man\`: do not edit.`,
    `.TH ${title} 1 "" ${roffArg(`${program} ${version}`)} "User Commands"`,
    '.SH NAME',
    `${roffText(program)} \\- ${roffText(summary.replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    '.nf',
    ...synopsis.map(roffText),
    '.fi',
    '.SH DESCRIPTION',
    ...helpToRoff(body(usage).trim().split('\n').slice(1).join('\n')),
    '.SH COMMANDS',
    ...commands.flatMap((c) => [
      `.SS ${roffArg(c.name)}`,
      '.nf',
      ...usageLines(c.help).map((l) => roffText(l.replace(/^Usage: /, ''))),
      '.fi',
      ...helpToRoff(body(c.help)),
    ]),
    '',
  ].join('\n');
}
