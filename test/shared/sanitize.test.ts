import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeForTerminal, formatArgv, formatPipeline, hasUnsafeCharacters } from '../../src/shared/sanitize.js';

/** Anything a terminal would act on or reorder: C0, DEL, C1, bidi controls, separators. */
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

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

  it('is the identity on strings with nothing unsafe', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        if (!hasUnsafeCharacters(s)) expect(escapeForTerminal(s)).toBe(s);
      }),
    );
  });
});

describe('formatArgv / formatPipeline', () => {
  it('never lets a dangerous character through and keeps stages apart', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), (p) => {
        const out = formatPipeline(p);
        expect(DANGEROUS.test(out)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('quotes words a shell would split or expand', () => {
    expect(formatArgv(['rm', '-rf', '/ tmp', ''])).toBe("rm -rf '/ tmp' ''");
    expect(formatArgv(['echo', "it's"])).toBe("echo 'it'\\''s'");
  });

  it('joins stages with a pipe and escapes each', () => {
    expect(formatPipeline([['journalctl', '-u', 'ssh'], ['tail', '-50']])).toBe('journalctl -u ssh | tail -50');
    expect(formatPipeline([['printf', '\u001b[31m']])).toBe("printf $'\\e[31m'");
    expect(formatArgv(["it's\u0007"])).toBe("$'it\\'s\\x07'");
  });
});
