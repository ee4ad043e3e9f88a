/**
 * The zod schema of each record type, for parse-line's slow path (the message of a line the
 * hand-written check rejects). Its own module so the CLI bundle can leave zod out of every
 * command's start-up: esbuild.config.mjs builds this file into its own CommonJS file and
 * replaces it in the bundle with a stub that requires that file on the first rejected line.
 * The `schema` command takes its JSON Schema from here too, so the package carries zod once.
 */
import type { z } from 'zod';
import { auditRecordJsonSchema, policyRecordSchema, requestRecordSchema, responseRecordSchema, sealRecordSchema, writerRecordSchema } from './schema.js';

const SCHEMAS: Record<string, z.ZodType> = {
  request: requestRecordSchema,
  response: responseRecordSchema,
  writer: writerRecordSchema,
  policy: policyRecordSchema,
  seal: sealRecordSchema,
};

/** The schema of a record type, or undefined: own keys only ("type":"valueOf" must not find Object.prototype's). */
export function schemaOfType(type: string): z.ZodType | undefined {
  return Object.hasOwn(SCHEMAS, type) ? SCHEMAS[type] : undefined;
}

/** The JSON Schema of one line (schema.ts's), through this module: see above. */
export { auditRecordJsonSchema };
