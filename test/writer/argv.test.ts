import { describe, expect, it } from 'vitest';
import { AuditArgsError, parseAuditArgs } from '../../src/writer/index.js';

describe('parseAuditArgs', () => {
  it('reads --audit-log PATH and keeps the other arguments in order', () => {
    expect(parseAuditArgs(['--port', '9000', '--audit-log', '/var/log/a.log', '-v'])).toEqual({
      path: '/var/log/a.log',
      disabled: false,
      rest: ['--port', '9000', '-v'],
    });
  });

  it('reads --audit-log=PATH', () => {
    expect(parseAuditArgs(['-v', '--audit-log=/tmp/x y.log'])).toEqual({ path: '/tmp/x y.log', disabled: false, rest: ['-v'] });
  });

  it('reads --no-audit', () => {
    expect(parseAuditArgs(['--no-audit', 'serve'])).toEqual({ disabled: true, rest: ['serve'] });
  });

  it('defaults to no path and enabled', () => {
    const args = parseAuditArgs(['serve']);
    expect(args.path).toBeUndefined();
    expect(args).toEqual({ disabled: false, rest: ['serve'] });
  });

  it.each([[['--audit-log']], [['--audit-log', '']], [['--audit-log=']], [['-v', '--audit-log=']]])('rejects a missing value: %j', (argv) => {
    expect(() => parseAuditArgs(argv)).toThrow(AuditArgsError);
    expect(() => parseAuditArgs(argv)).toThrow(/--audit-log needs a PATH/);
  });

  it('takes the value after --audit-log even when it looks like a flag', () => {
    expect(parseAuditArgs(['--audit-log', '--no-audit'])).toEqual({ path: '--no-audit', disabled: false, rest: [] });
  });

  it('stops at -- and passes everything after it through', () => {
    expect(parseAuditArgs(['--no-audit', '--', '--audit-log', 'x'])).toEqual({ disabled: true, rest: ['--', '--audit-log', 'x'] });
  });
});
