import type { Contract } from '../contract.js';
import { referencePath } from '../reference-agreement.js';
import type { ConfigDeclarations, ConfigDerived, DeclaredIn, EdgeConflict } from './data-flow-graph.js';

/**
 * A relation one field declares to another collection: a reference (`field` holds keys of `other`)
 * or derived state (`field` is copied or computed from `other`, at `otherField` when known).
 */
interface FieldRelation {
  readonly kind: 'references' | 'derives';
  readonly collection: string;
  readonly field: string;
  readonly other: string;
  readonly otherField?: string;
}

/** A field relation ready for the edge set: its ends (collection names), its entry, where it was declared. */
export interface PlacedRelation {
  readonly kind: 'references' | 'derives';
  readonly from: string;
  readonly to: string;
  /** The edge's field entry: `field` for a reference, `field ← source.field` for derived state. */
  readonly entry: string;
  readonly declaredIn: readonly DeclaredIn[];
  readonly conflict?: EdgeConflict;
}

/**
 * The references and derived state of the contracts and of the config, reconciled field by field.
 * A field both declare alike gives one relation declared in both; a field they declare differently
 * (another target, another source) gives both relations, each carrying the same conflict, so the
 * map shows the disagreement instead of choosing a side. Contract relations come first, in the
 * order the contracts declare them, then the config's, in the config's order.
 */
export function fieldRelations(contracts: readonly Contract[], config: ConfigDeclarations): PlacedRelation[] {
  const fromContracts = contracts.flatMap(contractRelations);
  const fromConfig = configRelations(config);
  const configByKey = new Map(fromConfig.map((r) => [keyOf(r), r]));
  const contractByKey = new Map(fromContracts.map((r) => [keyOf(r), r]));
  const out: PlacedRelation[] = [];
  for (const relation of fromContracts) {
    const other = configByKey.get(keyOf(relation));
    if (other && agree(relation, other)) out.push(placed(relation, ['config', 'contract']));
    else out.push(placed(relation, ['contract'], other && conflictOf(other, relation)));
  }
  for (const relation of fromConfig) {
    const other = contractByKey.get(keyOf(relation));
    if (!other) out.push(placed(relation, ['config']));
    else if (!agree(other, relation)) out.push(placed(relation, ['config'], conflictOf(relation, other)));
  }
  return out;
}

function contractRelations(c: Contract): FieldRelation[] {
  return Object.entries(c.fields).flatMap(([field, d]) => [
    ...(d.source
      ? [
          {
            kind: 'derives' as const,
            collection: c.collection,
            field,
            other: d.source.collection,
            otherField: d.source.field,
          },
        ]
      : []),
    ...(d.references !== undefined
      ? [{ kind: 'references' as const, collection: c.collection, field, other: d.references }]
      : []),
  ]);
}

function configRelations(config: ConfigDeclarations): FieldRelation[] {
  const references = (config.references ?? []).map(
    (r): FieldRelation => ({ kind: 'references', collection: r.collection, field: r.field, other: r.target }),
  );
  const derived = (config.derived ?? []).map((d): FieldRelation => {
    const otherField = sourceFieldOf(d);
    return {
      kind: 'derives',
      collection: d.collection,
      field: d.field,
      other: d.source.collection,
      ...(otherField === undefined ? {} : { otherField }),
    };
  });
  return [...references, ...derived];
}

/**
 * The source field a config declaration names, as a contract's `source` would: the field a
 * transform copies or aggregates, else, for a count, the source field that holds the derived
 * document's key (`tasks.caseId`). A function transform names none.
 */
function sourceFieldOf(d: ConfigDerived): string | undefined {
  if ('field' in d.transform) return d.transform.field;
  return d.source.link.by === 'key' ? d.source.link.field : undefined;
}

/** A relation's field, compared with `[]` dropped: the config may write `lines.sku` for `lines[].sku`. */
function keyOf(r: FieldRelation): string {
  return `${r.kind}\u0000${r.collection}\u0000${referencePath(r.field)}`;
}

/**
 * The contract and the config say the same: the same target or source collection, and no two
 * different source fields (a config transform written as a function names no field, which is
 * not a disagreement).
 */
function agree(contract: FieldRelation, config: FieldRelation): boolean {
  if (contract.other !== config.other) return false;
  return (
    contract.otherField === undefined ||
    config.otherField === undefined ||
    contract.otherField === config.otherField
  );
}

function conflictOf(config: FieldRelation, contract: FieldRelation): EdgeConflict {
  return {
    field: `${contract.collection}.${contract.field}`,
    config: says(config),
    contract: says(contract),
  };
}

/** What a relation says about its field: the target collection, or the source `collection.field`. */
function says(r: FieldRelation): string {
  return r.otherField === undefined ? r.other : `${r.other}.${r.otherField}`;
}

/** A relation as an edge entry; when both declare it alike, the contract's (naming a source field) is shown. */
function placed(
  r: FieldRelation,
  declaredIn: readonly DeclaredIn[],
  conflict?: EdgeConflict,
): PlacedRelation {
  const common = { declaredIn, ...(conflict ? { conflict } : {}) };
  if (r.kind === 'references')
    return { kind: r.kind, from: r.collection, to: r.other, entry: r.field, ...common };
  return { kind: r.kind, from: r.other, to: r.collection, entry: `${r.field} ← ${says(r)}`, ...common };
}
