import { Ajv, type Options } from 'ajv/dist/ajv.js';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * The validators of request parts, with the same ajv the contracts use. Bodies are checked as
 * sent: no type coercion, no removal of unknown fields (`additionalProperties: false` refuses
 * them). Paths and queries arrive as strings, so there numbers and booleans are coerced.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false };
  const body = new Ajv({ ...common, coerceTypes: false });
  const strings = new Ajv({ ...common, coerceTypes: true });
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : strings).compile(schema as object);
}
