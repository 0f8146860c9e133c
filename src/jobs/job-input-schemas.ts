/**
 * The JSON Schemas of each job kind's input: what a caller may pass to `JobManager.start`, the same
 * fields as the entry point's input, in JSON (durations in milliseconds, a drift check's `where`
 * as a filter object). Unknown fields are refused. The job manager validates with them, and the
 * server's routes declare them as their body schemas, so both refuse the same things.
 */

const positiveNumber = { type: 'number', exclusiveMinimum: 0 } as const;
const positiveInteger = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;
const name = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
const names = { type: 'array', items: name, maxItems: 200 } as const;
const segment = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'total'],
  properties: {
    index: { type: 'integer', minimum: 0, maximum: 9999 },
    total: { type: 'integer', minimum: 1, maximum: 10000 },
  },
} as const;

function object<P extends Record<string, unknown>>(properties: P) {
  return { type: 'object', additionalProperties: false, properties } as const;
}

export const migrateApplyInputSchema = object({
  resume: { type: 'boolean', description: 'Go on past a failed gate (a person decided).' },
  rate: { ...positiveNumber, description: 'At most this many documents per second.' },
});

export const migrateRollbackInputSchema = object({
  to: { ...name, description: 'Roll back down to and including this migration id.' },
  rate: { ...positiveNumber, description: 'At most this many documents per second.' },
});

export const refsScanInputSchema = object({
  references: { ...names, description: 'Declared references; default every one.' },
  staleOnly: { type: 'boolean' },
  segment,
  batch: positiveInteger,
  rate: positiveNumber,
  restart: { type: 'boolean' },
  leaseTtlMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
});

export const refsRepairInputSchema = object({
  references: names,
  dryRun: { type: 'boolean' },
  batchSize: positiveInteger,
  forceBreaker: { type: 'boolean' },
});

export const driftCheckInputSchema = object({
  derived: { ...names, description: 'Declared derived states; default every one.' },
  method: { type: 'string', enum: ['exact', 'sampling', 'hash', 'window', 'checkpoint'] },
  sample: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  windowMs: { type: 'integer', minimum: 1 },
  where: { type: 'object', description: 'A filter in the portable filter language.' },
  segment,
  strategy: { type: 'string', enum: ['map', 'per-page'] },
  batch: positiveInteger,
  groupSize: positiveInteger,
});

export const driftRepairInputSchema = object({
  derived: names,
  dryRun: { type: 'boolean' },
  batch: positiveInteger,
  force: { type: 'boolean' },
});
