import { StewardError } from '../../errors/steward-error.js';
import type { SchemaFailure } from '../schema-registry.js';

/**
 * The messages of the versioned reader, kept together so they read as one voice. Every error is
 * `input.invalid` with `details.reason` saying which check failed, so a service can tell "this
 * document is from a newer release" (`version-newer`) from a bug in its own upcasters.
 */
export type ReaderProblem =
  | 'reader-config'
  | 'upcaster-gap'
  | 'version-missing'
  | 'version-invalid'
  | 'version-newer'
  | 'version-older'
  | 'upcaster-failed'
  | 'upcaster-result'
  | 'schema-invalid';

/** Where a read went wrong: the collection, and the document's key when it has one. */
export interface ReadSite {
  readonly collection: string;
  readonly key: string | undefined;
}

function readerError(
  reason: ReaderProblem,
  message: string,
  details: Record<string, unknown>,
  cause?: unknown,
): StewardError {
  return new StewardError('input.invalid', message, { reason, ...details }, { cause });
}

const subject = (site: ReadSite) => (site.key === undefined ? 'a document' : `document ${site.key}`);
const at = (site: ReadSite) => ({ collection: site.collection, key: site.key });

export function badReaderConfig(collection: string, problem: string): StewardError {
  return readerError('reader-config', `versioned reader of "${collection}": ${problem}`, { collection });
}

export function upcasterGap(collection: string, from: number, oldest: number, latest: number): StewardError {
  return readerError(
    'upcaster-gap',
    `versioned reader of "${collection}": no upcaster from version ${from} to ${from + 1}. Upcasters start ` +
      `at version ${oldest}, so every step up to version ${latest} needs one: add upcasters[${from}]`,
    { collection, step: from },
  );
}

export function versionMissing(site: ReadSite, field: string): StewardError {
  return readerError(
    'version-missing',
    `${site.collection}: ${subject(site)} has no "${field}"; pass assumeVersion if such documents are of ` +
      'a known version, or backfill the field',
    at(site),
  );
}

export function versionInvalid(site: ReadSite, field: string, value: unknown): StewardError {
  return readerError(
    'version-invalid',
    `${site.collection}: ${subject(site)} has "${field}" ${JSON.stringify(value)}, not a version number`,
    { ...at(site), version: value },
  );
}

export function versionNewer(site: ReadSite, version: number, latest: number): StewardError {
  return readerError(
    'version-newer',
    `${site.collection}: ${subject(site)} is at schema version ${version}, newer than version ${latest} ` +
      'this service reads: the service is older than the data. Deploy a release that reads version ' +
      `${version} before writers move on`,
    { ...at(site), version, latest },
  );
}

export function versionOlder(site: ReadSite, version: number, oldest: number): StewardError {
  return readerError(
    'version-older',
    `${site.collection}: ${subject(site)} is at schema version ${version}, older than version ${oldest}, ` +
      `the oldest this reader upcasts from. Add upcasters[${version}] or migrate the document`,
    { ...at(site), version, oldest },
  );
}

export function upcasterFailed(site: ReadSite, from: number, cause: unknown): StewardError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return readerError(
    'upcaster-failed',
    `${site.collection}: upcasting ${subject(site)} from version ${from} to ${from + 1} failed: ${why}`,
    { ...at(site), step: from },
    cause,
  );
}

export function upcasterResult(site: ReadSite, from: number, problem: string): StewardError {
  return readerError(
    'upcaster-result',
    `${site.collection}: upcasting ${subject(site)} from version ${from} to ${from + 1}: the upcaster ${problem}`,
    { ...at(site), step: from },
  );
}

export function schemaInvalid(
  site: ReadSite,
  version: number,
  failures: readonly SchemaFailure[],
): StewardError {
  const shown = failures.slice(0, 5).map((f) => `${f.path || '(document)'} ${f.message}`);
  const more = failures.length > shown.length ? ` and ${failures.length - shown.length} more` : '';
  return readerError(
    'schema-invalid',
    `${site.collection}: ${subject(site)} read as version ${version} does not match that version's ` +
      `schema: ${shown.join('; ')}${more}`,
    { ...at(site), version, failures },
  );
}
