import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CHARS, escapeForTerminal, formatArgv, formatHostCounts, formatPipeline, hasUnsafeCharacters, jsonForTerminal } from '../../src/shared/sanitize.js';

/** Anything a terminal would act on, reorder or show as nothing: C0, DEL, C1, separators, default-ignorables (bidi controls among them). */
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Default_Ignorable_Code_Point}]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Strings that hit every case often: plain text, shell syntax, each kind of unsafe character, pairs and lone halves. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('a', 'Z', '-', '/', '=', ' ', "'", '"', '\\', '$', '|', ';', '*', '#', '~', 'é', 'ログ', '🚀'),
    fc.constantFrom('\u001b', '\u0007', '\t', '\n', '\r', '\u007f', '\u0085', '\u009b', '\u061c', '\u200b', '\u200e', '\u202e', '\u2028', '\u2066', '\ufeff', '\u00ad', '\u3164', '\u{e0041}', '\u{1d173}'),
    fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

describe('escapeForTerminal', () => {
  it('turns ESC, CSI and OSC sequences into visible text', () => {
    expect(escapeForTerminal('\u001b[2J\u001b]0;pwned\u0007')).toBe('\\e[2J\\e]0;pwned\\x07');
    expect(escapeForTerminal('\u001b]52;c;ZWNobyBoaQ==\u001b\\')).toBe('\\e]52;c;ZWNobyBoaQ==\\e\\');
  });

  it('escapes C1 controls, DEL, bidi overrides and line separators', () => {
    expect(escapeForTerminal('a\u009b31mb')).toBe('a\\x9b31mb');
    expect(escapeForTerminal('x\u007fy')).toBe('x\\x7fy');
    expect(escapeForTerminal('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe');
    expect(escapeForTerminal('one\u2028two\u2029three')).toBe('one\\u2028two\\u2029three');
    expect(escapeForTerminal('tab\there\nnew\rline')).toBe('tab\\there\\nnew\\rline');
  });

  it('escapes lone surrogates but keeps real astral characters', () => {
    expect(escapeForTerminal('a\ud800b')).toBe('a\\ud800b');
    expect(escapeForTerminal('\udc00')).toBe('\\udc00');
    expect(escapeForTerminal('ok 🚀')).toBe('ok 🚀');
  });

  it('leaves ordinary text, including non-Latin scripts, untouched', () => {
    expect(escapeForTerminal('apt-get install -y nginx')).toBe('apt-get install -y nginx');
    expect(escapeForTerminal('журнал ログ')).toBe('журнал ログ');
  });

  it('caps length and says how much was cut', () => {
    const out = escapeForTerminal('x'.repeat(5000), 100);
    expect(out).toBe(`${'x'.repeat(100)}…[+4900 chars]`);
  });

  it('never lets a dangerous character through, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const out = escapeForTerminal(s);
        expect(DANGEROUS.test(out)).toBe(false);
        expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(out)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('changes a string exactly when it holds something unsafe, over any UTF-16 (not only printable ASCII)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(escapeForTerminal(s) === s).toBe(!hasUnsafeCharacters(s));
        expect(hasUnsafeCharacters(s)).toBe(DANGEROUS.test(s) || LONE_SURROGATE.test(s));
      }),
      { numRuns: 2000 },
    );
  });

  // Each end of each escaped range, and the character just outside it: removing or narrowing
  // any one range of the pattern fails here.
  it.each([
    ['0000', '\\x00'],
    ['0001', '\\x01'],
    ['001b', '\\e'],
    ['001f', '\\x1f'],
    ['007f', '\\x7f'],
    ['0080', '\\x80'],
    ['009f', '\\x9f'],
    ['061c', '\\u061c'],
    ['200b', '\\u200b'],
    ['200e', '\\u200e'],
    ['200f', '\\u200f'],
    ['2028', '\\u2028'],
    ['2029', '\\u2029'],
    ['202a', '\\u202a'],
    ['202e', '\\u202e'],
    ['2060', '\\u2060'],
    ['2066', '\\u2066'],
    ['2069', '\\u2069'],
    ['feff', '\\ufeff'],
  ])('escapes U+%s', (hex, shown) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    expect(hasUnsafeCharacters(`a${ch}b`)).toBe(true);
    expect(escapeForTerminal(`a${ch}b`)).toBe(`a${shown}b`);
  });

  it.each(['0020', '007e', '00a0', '00ff', '061b', '061d', '200a', '2010', '2027', '202f', '205f', '2070', 'fefe', 'ff00', 'd7ff', 'e000'])('keeps U+%s, just outside a range', (hex) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    expect(hasUnsafeCharacters(`a${ch}b`)).toBe(false);
    expect(escapeForTerminal(`a${ch}b`)).toBe(`a${ch}b`);
  });

  // Default-ignorable code points show as nothing: `rm -rf /srv/da\u00adta` looked like
  // `rm -rf /srv/data` (another path), a tag block (U+E0000–E007F) spelt a hidden text, a
  // search for `rm` missed `r\u{e0020}m`. Each is shown as an escape; an astral one as bash
  // writes it in $'…' (\U000e0041), and as two \u escapes in JSON (the same value).
  it.each([
    ['00ad', '\\u00ad'],
    ['034f', '\\u034f'],
    ['115f', '\\u115f'],
    ['1160', '\\u1160'],
    ['17b4', '\\u17b4'],
    ['180e', '\\u180e'],
    ['206a', '\\u206a'],
    ['206f', '\\u206f'],
    ['3164', '\\u3164'],
    ['fe0f', '\\ufe0f'],
    ['ffa0', '\\uffa0'],
    ['1d173', '\\U0001d173'],
    ['e0001', '\\U000e0001'],
    ['e0041', '\\U000e0041'],
    ['e007f', '\\U000e007f'],
    ['e01ef', '\\U000e01ef'],
  ])('escapes the invisible U+%s', (hex, shown) => {
    const ch = String.fromCodePoint(Number.parseInt(hex, 16));
    expect(hasUnsafeCharacters(`a${ch}b`)).toBe(true);
    expect(escapeForTerminal(`a${ch}b`)).toBe(`a${shown}b`);
    expect(formatArgv(['rm', `/srv/da${ch}ta`])).toBe(`rm $'/srv/da${shown}ta'`);
    const json = jsonForTerminal({ s: `a${ch}b` });
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(json)).toEqual({ s: `a${ch}b` });
  });

  it.each(['00ac', '00ae', '1d172', '1d17b', 'dffff', 'e1000', '1f680'])('keeps U+%s, just outside an invisible range', (hex) => {
    const ch = String.fromCodePoint(Number.parseInt(hex, 16));
    expect(hasUnsafeCharacters(`a${ch}b`)).toBe(false);
    expect(escapeForTerminal(`a${ch}b`)).toBe(`a${ch}b`);
  });

  it('escapes a lone surrogate at either end of its range, and keeps a pair at either end', () => {
    expect(escapeForTerminal('\ud800x\udbff')).toBe('\\ud800x\\udbff');
    expect(escapeForTerminal('x\udc00\udfff')).toBe('x\\udc00\\udfff');
    expect(escapeForTerminal('\ud800\udbff\ue000')).toBe('\\ud800\\udbff\ue000'); // high then high: both lone
    expect(escapeForTerminal('\udfff\udc00')).toBe('\\udfff\\udc00'); // low then low: both lone
    for (const pair of ['\ud800\udc00', '\ud800\udfff', '\udbff\udc00', '\udbff\udfff']) expect(escapeForTerminal(pair)).toBe(pair);
  });

  it('is not fooled by an earlier call: the pattern is global, its position is reset each time', () => {
    expect(hasUnsafeCharacters('abc\u001b')).toBe(true);
    expect(hasUnsafeCharacters('\u001b')).toBe(true);
    expect(hasUnsafeCharacters('abc\u001b')).toBe(true);
    expect(escapeForTerminal('\u001b')).toBe('\\e');
    expect(hasUnsafeCharacters('abc\u001b')).toBe(true);
    expect(jsonForTerminal('\u202e')).toBe('"\\u202e"');
  });

  it('cuts at the cap exactly, and counts exactly what it cut', () => {
    expect(escapeForTerminal('xxxx', 4)).toBe('xxxx');
    expect(escapeForTerminal('xxxxx', 4)).toBe('xxxx…[+1 chars]');
    expect(escapeForTerminal('x'.repeat(DEFAULT_MAX_CHARS))).toBe('x'.repeat(DEFAULT_MAX_CHARS));
    expect(escapeForTerminal('x'.repeat(DEFAULT_MAX_CHARS + 1))).toBe(`${'x'.repeat(DEFAULT_MAX_CHARS)}…[+1 chars]`);
    expect(escapeForTerminal('\u001b\u001b\u001b', 2)).toBe('\\e\\e…[+1 chars]'); // counts characters of the input, not of the escapes
    expect(escapeForTerminal('', 0)).toBe('');
    expect(escapeForTerminal('x', 0)).toBe('…[+1 chars]');
    expect(escapeForTerminal('x'.repeat(10), Number.POSITIVE_INFINITY)).toBe('x'.repeat(10));
  });

  it('never cuts a surrogate pair in half (which would show as a lone surrogate)', () => {
    expect(escapeForTerminal('a🚀b', 2)).toBe('a…[+3 chars]');
    expect(escapeForTerminal('a🚀b', 3)).toBe('a🚀…[+1 chars]');
    expect(escapeForTerminal('a\udbff\udfffb', 2)).toBe('a…[+3 chars]');
    expect(escapeForTerminal('a\ud800\udc00b', 2)).toBe('a…[+3 chars]');
    // Not pairs: cut where asked.
    expect(escapeForTerminal('a\udc00\udc00b', 2)).toBe('a\\udc00…[+2 chars]');
    expect(escapeForTerminal('a\ud7ff\udc00b', 2)).toBe('a\ud7ff…[+2 chars]');
    expect(escapeForTerminal('a\ud800\udbffb', 2)).toBe('a\\ud800…[+2 chars]');
    expect(escapeForTerminal('a\ud800\ue000b', 2)).toBe('a\\ud800…[+2 chars]');
  });

  it('counts every cut character, for any string and cap', () => {
    fc.assert(
      fc.property(anyText, fc.nat({ max: 50 }), (s, cap) => {
        const out = escapeForTerminal(s, cap);
        const marker = /…\[\+(\d+) chars\]$/.exec(out);
        const hidden = marker ? Number(marker[1]) : 0;
        expect(marker !== null).toBe(s.length > cap);
        // At most the cap shown; one fewer only when that one would split a pair.
        expect(s.length - hidden).toBeLessThanOrEqual(cap);
        expect(s.length - hidden).toBeGreaterThanOrEqual(Math.min(cap, s.length) - 1);
        expect(out.slice(0, marker ? marker.index : out.length)).toBe(escapeForTerminal(s.slice(0, s.length - hidden), Number.POSITIVE_INFINITY));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('jsonForTerminal', () => {
  it('is the same JSON value, with nothing a terminal would act on', () => {
    const value = { s: 'a\u001b[2J\u009b\u007f\u202e\u2028\u200b\ufeff\u061c\u2066\ud800z', n: 1, list: ['\u0085', null, true] };
    const json = jsonForTerminal(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(json).toMatch(/^[\x20-\x7e]*$/);
  });

  it('writes undefined, which JSON.stringify leaves out, as null', () => {
    expect(jsonForTerminal(undefined)).toBe('null');
    expect(jsonForTerminal(() => 1)).toBe('null');
  });

  it('stays valid and equal for any value, and never holds a raw unsafe character', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), anyText, (value, s) => {
        for (const v of [value, { s, v: value }]) {
          const json = jsonForTerminal(v);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(v)));
          expect(DANGEROUS.test(json) || LONE_SURROGATE.test(json)).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * What a shell makes of formatArgv's output: plain words, '…' (with '\'' for a quote) and
 * $'…' with the escapes escapeForTerminal writes. A word cut short has no closing quote.
 */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const add = (text: string) => void (word = (word ?? '') + text);
  while (i < line.length) {
    const c = line[i];
    if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      add(line.slice(i + 1, end === -1 ? line.length : end));
      i = end === -1 ? line.length : end + 1;
    } else if (c === '\\') {
      add(line[i + 1]);
      i += 2;
    } else if (c === '$' && line[i + 1] === "'") {
      i += 2;
      let text = '';
      while (i < line.length && line[i] !== "'") {
        if (line[i] !== '\\') {
          text += line[i++];
          continue;
        }
        const e = line[i + 1];
        const named: Record<string, string> = { e: '\u001b', t: '\t', n: '\n', r: '\r', '\\': '\\', "'": "'" };
        if (e in named) {
          text += named[e];
          i += 2;
        } else {
          // bash's $'…': \xHH, \uHHHH, \UHHHHHHHH.
          const digits = e === 'x' ? 2 : e === 'U' ? 8 : 4;
          text += String.fromCodePoint(Number.parseInt(line.slice(i + 2, i + 2 + digits), 16));
          i += 2 + digits;
        }
      }
      add(text);
      i++;
    } else {
      add(c);
      i++;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

describe('formatArgv / formatPipeline', () => {
  it('never lets a dangerous character through', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), (p) => {
        const out = formatPipeline(p);
        expect(DANGEROUS.test(out) || LONE_SURROGATE.test(out)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back, word for word, as the argv that ran', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 6 }), (argv) => {
        expect(shellWords(formatArgv(argv))).toEqual(argv);
      }),
      { numRuns: 2000 },
    );
  });

  it('cut anywhere: shows what fits of the command line, and counts exactly what it does not', () => {
    fc.assert(
      fc.property(fc.array(anyText, { minLength: 1, maxLength: 6 }), fc.nat({ max: 80 }), (argv, cap) => {
        const line = argv.join(' ');
        const out = formatArgv(argv, cap);
        const marker = /…\[\+(\d+) chars\]$/.exec(out);
        expect(marker !== null).toBe(line.length > cap);
        if (!marker) return;
        const hidden = Number(marker[1]);
        const shown = out.slice(0, marker.index);
        // Every character of the command line is either shown or counted, none twice.
        expect(shellWords(shown).join(' ')).toBe(line.slice(0, line.length - hidden));
        // As much as fits: short of the cap only by a space shown only with its word, and half a pair.
        expect(line.length - hidden).toBeLessThanOrEqual(cap);
        expect(line.length - hidden).toBeGreaterThanOrEqual(cap - 2);
      }),
      { numRuns: 3000 },
    );
  });

  it('marks a single cut argument, with what follows it counted (the argv of #12)', () => {
    const out = formatArgv([`${'A'.repeat(4096)}; rm -rf /`]);
    expect(out).toBe(`${'A'.repeat(4096)}…[+10 chars]`);
    expect(formatArgv(['echo', `${'A'.repeat(4096)}; rm -rf /`])).toBe(`echo ${'A'.repeat(4091)}…[+15 chars]`);
  });

  it('counts every hidden character over several words, spaces included', () => {
    expect(formatArgv(['rm', '-rf', '/srv/data', '/srv/old'], 10)).toBe("rm -rf /sr…[+15 chars]");
    expect(formatArgv(['rm', '-rf', '/srv/data'], 6)).toBe('rm -rf …[+10 chars]'); // cut between words: the space is counted
    expect(formatArgv(['rm', '-rf', '/srv/data'], 7)).toBe('rm -rf …[+10 chars]'); // no word after a space alone
    expect(formatArgv(['rm', '-rf', '/srv/data'], 8)).toBe('rm -rf /…[+8 chars]');
    expect(formatArgv(['rm', '-rf', '/srv/data'], 16)).toBe('rm -rf /srv/data');
    expect(formatArgv(['rm', '-rf', '/srv/data'], 15)).toBe('rm -rf /srv/dat…[+1 chars]');
    expect(formatArgv(['rm', '-rf'], 0)).toBe('…[+6 chars]');
    expect(formatArgv(['rm', '', 'x'], 3)).toBe("rm '' …[+2 chars]");
  });

  it('leaves a word cut short open: its quote is not closed, the marker runs into it', () => {
    expect(formatArgv(['echo', 'a b c d'], 8)).toBe("echo 'a b…[+4 chars]");
    expect(formatArgv(['printf', '\u001b[31mred'], 10)).toBe("printf $'\\e[3…[+5 chars]");
    expect(formatArgv(['echo', "it's"], 8)).toBe("echo 'it'\\''…[+1 chars]");
  });

  it('never splits a surrogate pair, nor keeps a space without its word', () => {
    expect(formatArgv(['a🚀b'], 2)).toBe('a…[+3 chars]');
    expect(formatArgv(['rm', '🚀x'], 4)).toBe('rm …[+4 chars]');
  });

  it('quotes words a shell would split or expand', () => {
    expect(formatArgv(['rm', '-rf', '/ tmp', ''])).toBe("rm -rf '/ tmp' ''");
    expect(formatArgv(['echo', "it's"])).toBe("echo 'it'\\''s'");
  });

  it.each([' ', "'", '"', '\\', '$', '`', '|', '&', ';', '<', '>', '(', ')', '{', '}', '*', '?', '[', ']', '#', '~', '\u00a0'])('quotes a word with %j', (ch) => {
    expect(formatArgv([`a${ch}b`])).toMatch(/^'.*'$/);
  });

  it.each(['-', '/', '=', '.', ',', ':', '@', '%', '+', '^', '_', 'é'])('leaves a word with %j as it is', (ch) => {
    expect(formatArgv([`a${ch}b`])).toBe(`a${ch}b`);
  });

  it('joins stages with a pipe and escapes each', () => {
    expect(formatPipeline([['journalctl', '-u', 'ssh'], ['tail', '-50']])).toBe('journalctl -u ssh | tail -50');
    expect(formatPipeline([['printf', '\u001b[31m']])).toBe("printf $'\\e[31m'");
    expect(formatArgv(["it's\u0007"])).toBe("$'it\\'s\\x07'");
    expect(formatPipeline([['a'.repeat(10)], ['b'.repeat(10)]], 4)).toBe('aaaa…[+6 chars] | bbbb…[+6 chars]');
  });
});

describe('formatHostCounts (hosts with records not checked)', () => {
  it('names each host with its count, escaped, and says when more are not listed', () => {
    expect(formatHostCounts([], 0)).toBe('');
    expect(formatHostCounts([{ origin: 'web', count: 40 }, { origin: 'db\u001b[2J', count: 2 }], 42)).toBe('web 40, db\\e[2J 2');
    expect(formatHostCounts([{ origin: 'web', count: 40 }], 45)).toBe('web 40, …');
  });
});
