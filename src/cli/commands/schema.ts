/** `sudo-proxy-audit schema`: the JSON Schema of one audit-log line, for daemons in other languages. */
// Through record-schemas, which the bundle loads from its one zod file (esbuild.config.mjs: LAZY).
import { auditRecordJsonSchema } from '../../shared/record-schemas.js';
import { type Command, PROGRAM } from './command.js';
import { parseFlags } from './flags.js';

const help = `Usage: ${PROGRAM} schema

Prints the JSON Schema (draft 2020-12) of one audit-log line: a request, a response or a
writer lifecycle record. The same schema is committed as schema/audit-record.schema.json.

Options:
  -h, --help  show this help
`;

export const schemaCommand: Command = {
  name: 'schema',
  help,
  run(argv) {
    const { values } = parseFlags(argv, {}, false);
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    process.stdout.write(`${JSON.stringify(auditRecordJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
