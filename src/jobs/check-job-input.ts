import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { type Filter, parseFilter } from '../core/filter.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type JobKind, jobKindDefinitions } from './job-kinds.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new Map<JobKind, ValidateFunction>();

/**
 * Checks a job's input before anything starts: its shape against the kind's schema (unknown
 * fields and wrong types refused), then what the config must declare (the references and derived
 * states it names) and a drift check's filter. Throws `input.invalid` (or `filter.invalid`) naming
 * the field, so a caller learns of a mistake at start, not from a failed job.
 */
export function checkJobInput(kind: JobKind, config: ResolvedConfig, input: unknown): JsonObject {
  if (!isJsonObject(input))
    throw new StewardError('input.invalid', `the input of a ${kind} job must be an object`, {
      field: 'input',
    });
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.compile(jobKindDefinitions[kind].schema);
    validators.set(kind, validate);
  }
  if (!validate(input)) throw invalid(kind, validate.errors ?? []);
  checkNames(input.references, config.references, 'references', 'reference');
  checkNames(input.derived, config.derived, 'derived', 'derived state');
  if (kind === 'drift.check' && input.where !== undefined) parseFilter(input.where as Filter);
  return input;
}

function invalid(kind: JobKind, errors: readonly ErrorObject[]): StewardError {
  const problems = errors.map((e) => {
    const field = fieldOf(e);
    return { field, message: `${field}: ${e.message ?? 'is not valid'}` };
  });
  const first = problems[0]?.field ?? 'input';
  return new StewardError(
    'input.invalid',
    `the input of a ${kind} job is not valid: ${problems.map((p) => p.message).join('; ')}`,
    { field: first, problems },
  );
}

/** The dotted path of the field an error is about; for an unknown field, that field. */
function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty));
  if (error.keyword === 'required') path.push(String(error.params.missingProperty));
  return path.length === 0 ? 'input' : path.join('.');
}

function checkNames(
  value: unknown,
  declared: ReadonlyMap<string, unknown>,
  field: string,
  what: string,
): void {
  if (!Array.isArray(value)) return;
  for (const [i, name] of value.entries()) {
    if (!declared.has(String(name)))
      throw new StewardError(
        'input.invalid',
        `${field}.${i}: no ${what} named "${String(name)}" in the config`,
        {
          field: `${field}.${i}`,
        },
      );
  }
}
