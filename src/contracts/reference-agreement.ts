import type { ResolvedReference } from '../integrity/reference.js';
import type { Contract } from './contract.js';

/**
 * A reference path as documents are read: the canonical form marks each array with `[]`
 * (`lines[].sku`, as contracts write it); the dotted form (`lines.sku`) reads the same, since a
 * reference path walks every array it meets. Two paths are the same reference when their
 * `referencePath`s are equal.
 */
export function referencePath(path: string): string {
  return path.replaceAll('[]', '');
}

/** A field the config and a contract both declare as a reference, to different collections. */
export interface ReferenceDisagreement {
  readonly collection: string;
  /** The field as the contract writes it (the canonical `[]` form). */
  readonly field: string;
  /** The config's reference, as it is keyed there (`orders.customerId`). */
  readonly configName: string;
  readonly configTarget: string;
  readonly contractTarget: string;
  /** The contract file declaring the field. */
  readonly contractFile: string;
}

/**
 * The references the config and the contracts declare differently: the same field of the same
 * collection (compared by {@link referencePath}, so `lines.sku` in the config is `lines[].sku` in a
 * contract) pointing at two collections. Pure; a reference only one side declares is no
 * disagreement.
 */
export function referenceDisagreements(
  contracts: readonly Contract[],
  references: Iterable<ResolvedReference>,
): ReferenceDisagreement[] {
  const declared = new Map<string, { field: string; target: string; file: string }>();
  for (const c of contracts)
    for (const [field, d] of Object.entries(c.fields))
      if (d.references !== undefined)
        declared.set(`${c.collection}\u0000${referencePath(field)}`, {
          field,
          target: d.references,
          file: c.file,
        });
  const out: ReferenceDisagreement[] = [];
  for (const r of references) {
    const contract = declared.get(`${r.collection}\u0000${referencePath(r.field)}`);
    if (contract && contract.target !== r.target)
      out.push({
        collection: r.collection,
        field: contract.field,
        configName: r.name,
        configTarget: r.target,
        contractTarget: contract.target,
        contractFile: contract.file,
      });
  }
  return out;
}
