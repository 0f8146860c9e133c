/**
 * The parts of an OpenLineage RunEvent (spec 2-0-2, https://openlineage.io/spec/2-0-2/OpenLineage.json)
 * that steward emits, and the facets it uses. Plain JSON: a transport writes or POSTs it as it is.
 */

/** The spec version steward's events follow. */
export const openLineageSchemaURL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** Who produced an event or facet: steward, by a URN with its version (no web address of its own). */
export const stewardProducer = 'urn:steward:0.1.0';

/** Where steward's own facets are specified: `docs/openlineage-facets.json`, by URN. */
export const stewardFacetSchema = (facet: string) => `urn:steward:spec:facets:1-0-0:${facet}`;

export const parentRunFacetSchemaURL =
  'https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet';
export const errorMessageRunFacetSchemaURL =
  'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet';
export const outputStatisticsFacetSchemaURL =
  'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet';

/** A run's state transition. Steward sends one START and one of COMPLETE, FAIL, ABORT per run. */
export type RunEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/** What every facet carries: who made it and where its schema is. */
export interface BaseFacet {
  readonly _producer: string;
  readonly _schemaURL: string;
  readonly [field: string]: unknown;
}

export interface JobRef {
  readonly namespace: string;
  readonly name: string;
}

/** A dataset: for steward, a collection (`name`) in a store (`namespace`, the store's name in the config). */
export interface LineageDataset extends JobRef {
  readonly facets?: Readonly<Record<string, BaseFacet>>;
  readonly outputFacets?: Readonly<Record<string, BaseFacet>>;
}

export interface RunEvent {
  readonly eventType: RunEventType;
  /** ISO 8601. */
  readonly eventTime: string;
  readonly run: { readonly runId: string; readonly facets?: Readonly<Record<string, BaseFacet>> };
  readonly job: JobRef & { readonly facets?: Readonly<Record<string, BaseFacet>> };
  readonly inputs?: readonly LineageDataset[];
  readonly outputs?: readonly LineageDataset[];
  readonly producer: string;
  readonly schemaURL: string;
}

/** A facet made by steward: `_producer` and `_schemaURL` filled. */
export function facet(schemaURL: string, fields: Readonly<Record<string, unknown>>): BaseFacet {
  return { _producer: stewardProducer, _schemaURL: schemaURL, ...fields };
}
