import { isJsonObject } from '../../core/json.js';
import type { JsonSchema } from './schema-change.js';

/** The JSON Schema drafts steward reads: each is compiled by the matching Ajv class. */
export const schemaDrafts = ['draft-07', '2019-09', '2020-12'] as const;
export type SchemaDraft = (typeof schemaDrafts)[number];

/** The `$schema` URIs of each draft, without the trailing `#` (both spellings are accepted). */
const draftUris: Readonly<Record<SchemaDraft, string>> = {
  'draft-07': 'http://json-schema.org/draft-07/schema',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

/**
 * The draft a schema is written in, from its root `$schema`; 2020-12 when it has none. Returns
 * `undefined` for a `$schema` steward does not read (draft-04, draft-06, a custom meta-schema),
 * which the loader reports with the URIs it does read.
 */
export function draftOf(schema: JsonSchema): SchemaDraft | undefined {
  if (!isJsonObject(schema) || schema.$schema === undefined) return '2020-12';
  const uri = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '') : '';
  const plain = uri.replace(/^https?:/, '');
  for (const draft of schemaDrafts) {
    if (draftUris[draft].replace(/^https?:/, '') === plain) return draft;
  }
  return undefined;
}

/** The `$schema` URI of a draft, for messages. */
export function draftUri(draft: SchemaDraft): string {
  return `${draftUris[draft]}${draft === 'draft-07' ? '#' : ''}`;
}
