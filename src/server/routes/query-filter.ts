import { parseDuration } from '../../core/duration.js';
import { type ParsedFilter, parseFilter } from '../../core/filter.js';
import { isStewardError } from '../../errors/steward-error.js';
import { ApiError } from '../api-error.js';

/**
 * A client's filter, sent as JSON text in a query parameter, through the portable filter language
 * (`parseFilter`): equality, $in, ranges, $exists and $and only, so no operator a store runs as
 * code ($where, $function, $expr) and no operator in a field name ever reaches a store.
 */
export function queryFilter(text: string | undefined, field: string): ParsedFilter | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'filter.invalid', `${field} is not JSON`, field);
  }
  try {
    return parseFilter(value, field);
  } catch (error) {
    if (isStewardError(error)) throw new ApiError(400, error.code, error.message, field);
    throw error;
  }
}

/** A duration parameter such as `30m` or `7d`, in milliseconds. */
export function queryDuration(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new ApiError(400, 'input.invalid', `${field} is not a duration such as 30m or 7d`, field);
  return ms;
}

/** The JSON Schema of a duration query parameter. */
export const durationSchema = { type: 'string', pattern: '^\\d{1,9}[smhd]$' } as const;
