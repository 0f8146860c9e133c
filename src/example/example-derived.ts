import type { DerivedSettings } from '../config/define-config.js';
import type { FieldAuthority } from '../contracts/contract.js';
import { caseManagementModel } from './case-management-model.js';
import { exampleContracts } from './example-contracts.js';

/** The derived kind that says the same as a contract's field authority. */
const kindOf: Partial<Record<FieldAuthority, DerivedSettings['kind']>> = {
  aggregate: 'counter',
  projection: 'projection',
  snapshot: 'snapshot',
  'local-copy': 'copy',
  cache: 'copy',
  derived: 'stored',
  search: 'search',
};

/**
 * The example's derived state in config form (`derived` of steward.config.ts), built from the
 * model's declarations and its contracts' field authority and freshness, so the model, the
 * contracts and the config cannot disagree. Keyed `<collection>.<field>`.
 */
export function exampleDerived(): Record<string, DerivedSettings> {
  const contracts = new Map(exampleContracts().map((c) => [c.collection, c]));
  const out: Record<string, DerivedSettings> = {};
  for (const d of caseManagementModel.derived) {
    const declared = contracts.get(d.collection)?.fields?.[d.field];
    const kind =
      (declared?.authority && kindOf[declared.authority]) ?? (d.kind === 'count' ? 'counter' : 'copy');
    const common = {
      kind,
      // A snapshot keeps the value of its moment: only a deliberate, approved refresh may change it.
      refresh: kind === 'snapshot' ? 'manual' : 'asynchronous',
      ...(declared?.freshness ? { staleness: declared.freshness } : {}),
      onFailure: 'mark-stale',
      validation: 'exact',
      repair: 'recompute',
      consumers: Object.entries(contracts.get(d.collection)?.consumers ?? {})
        .filter(([, c]) => c.reads?.includes(d.field))
        .map(([service]) => ({ service, irreversible: false })),
    } as const;
    out[`${d.collection}.${d.field}`] =
      d.kind === 'count'
        ? {
            ...common,
            source: { collection: d.source, key: d.sourceField, where: d.where },
            transform: { count: true },
          }
        : { ...common, source: { collection: d.source }, transform: { copy: d.sourceField, via: d.via } };
  }
  return out;
}
