import type { Contract, ContractDefinition } from './contract.js';

/**
 * A parsed contract back in its written form, with every schema inline and every default spelled
 * out: the canonical JSON any language can read, whatever the contract was written in.
 */
export function toContractDefinition(contract: Contract): ContractDefinition {
  const fields = Object.fromEntries(
    Object.entries(contract.fields).map(([path, d]) => [
      path,
      {
        authority: d.authority,
        ...(d.source ? { source: `${d.source.collection}.${d.source.field}` } : {}),
        ...(d.source?.via ? { via: d.source.via } : {}),
        ...(d.freshness ? { freshness: d.freshness } : {}),
        ...(d.references ? { references: d.references } : {}),
        ...(d.deprecated ? { deprecated: d.deprecated } : {}),
      },
    ]),
  );
  return {
    collection: contract.collection,
    owner: contract.owner,
    ...(contract.description ? { description: contract.description } : {}),
    versionField: contract.versionField,
    ...(contract.assumeVersion === undefined ? {} : { assumeVersion: contract.assumeVersion }),
    compatibility: contract.compatibility,
    versions: contract.versions.map((v) => ({
      version: v.version,
      schema: v.schema,
      ...(v.groupReason ? { startsCompatibilityGroup: v.groupReason } : {}),
    })),
    fields,
    consumers: contract.consumers,
    waivers: contract.waivers,
  };
}
