import { contractVersionOf } from '../../contracts/contract.js';
import type { LoadedContracts } from '../../contracts/load-contracts.js';
import { versionChecks } from '../../contracts/verify/verify-collection.js';
import { getPath, type JsonObject } from '../../core/json.js';

/**
 * Why a document about to be written does not conform to its collection's contract, or undefined
 * when it does. Apply and the dry run run it on every document they are about to write: the
 * target contract is an implicit gate of every migration (see `planDocument`).
 */
export type ContractCheck = (doc: JsonObject) => string | undefined;

/** Schema failures named per document: enough to find the field, short enough for a report line. */
const shownFailures = 3;

/**
 * The check of one collection's documents against its contract: each document is validated with
 * the schema of the version it carries (the migration's target version, once `up` has run); a
 * version the contract does not declare fails. Undefined when the collection has no contract:
 * there is nothing to conform to. Schemas are compiled once, here.
 */
export function contractCheck(
  contracts: LoadedContracts,
  collection: string,
  versionField: string,
): ContractCheck | undefined {
  const contract = contracts.contracts.find((c) => c.collection === collection);
  if (!contract) return undefined;
  const checks = versionChecks(contract, contracts.registry);
  return (doc) => {
    const version = contractVersionOf(getPath(doc, versionField), contract.assumeVersion);
    const check = version === undefined ? undefined : checks.get(version);
    if (!check)
      return (
        `does not conform to the contract of ${collection}: ${versionField} is ${JSON.stringify(version ?? null)}, ` +
        `a version it does not declare (${[...checks.keys()].join(', ')})`
      );
    const failures = check(doc);
    if (failures.length === 0) return undefined;
    const shown = failures
      .slice(0, shownFailures)
      .map((f) => `${f.path || '(document)'}: ${f.message}`)
      .join('; ');
    const more = failures.length > shownFailures ? ` (+${failures.length - shownFailures} more)` : '';
    return `does not conform to ${collection} v${version}: ${shown}${more}`;
  };
}

/**
 * The version a collection's contract assumes for documents without the version field, if it
 * declares one: what migrations select such documents as.
 */
export function contractAssumeVersion(contracts: LoadedContracts, collection: string): number | undefined {
  return contracts.contracts.find((c) => c.collection === collection)?.assumeVersion;
}
