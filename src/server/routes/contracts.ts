import type { ResolvedConfig } from '../../config/resolved-config.js';
import { StewardError } from '../../errors/steward-error.js';
import {
  contractsExport,
  contractsImpact,
  contractsList,
} from '../../workspace/contracts/contracts-files.js';
import { type ContractsVerifyEvent, contractsVerify } from '../../workspace/contracts/contracts-verify.js';
import type { RunOptions } from '../../workspace/run-options.js';
import { ApiError } from '../api-error.js';
import { censusKey } from '../census-cache.js';
import { roleAllows } from '../roles.js';
import { defineRoute, type RouteCall } from '../server-route.js';
import { nameParams } from './names.js';

type CollectionCall = RouteCall<{ collection: string }, Record<string, unknown>, unknown>;

/** Contracts: the list, one collection's contract, its current schema version, census and impact. */
export const contractRoutes = [
  defineRoute({
    method: 'GET',
    url: '/contracts',
    role: 'viewer',
    tag: 'contracts',
    summary: 'every contract: collection, owner, versions, compatibility mode, consumers',
    handler: async ({ server }) => contractsList({ dir: server.config.contracts.dir }),
  }),
  defineRoute<{ collection: string }>({
    method: 'GET',
    url: '/contracts/:collection',
    role: 'viewer',
    tag: 'contracts',
    summary: "one collection's contract and its versions",
    params: nameParams('collection'),
    handler: async (call: CollectionCall) => {
      const contract = await contractOf(call);
      return { contract, versions: contract.versions.map((v) => v.version) };
    },
  }),
  defineRoute<{ collection: string }>({
    method: 'GET',
    url: '/contracts/:collection/schema-version',
    role: 'viewer',
    tag: 'contracts',
    summary: 'the current (newest) schema version of a collection, and the field that carries it',
    params: nameParams('collection'),
    handler: async (call: CollectionCall) => {
      const contract = await contractOf(call);
      const versions = contract.versions.map((v) => v.version);
      return {
        collection: contract.collection,
        current: Math.max(...versions),
        versionField: contract.versionField ?? 'schemaVersion',
        versions,
      };
    },
  }),
  defineRoute<{ collection: string }, { sample: number; fresh: boolean }>({
    method: 'GET',
    url: '/contracts/:collection/census',
    role: 'viewer',
    tag: 'contracts',
    summary:
      'documents per schema version, computed at most a minute before (computedAt, ageSeconds); fresh=true (operator) recomputes',
    params: nameParams('collection'),
    query: {
      type: 'object',
      properties: {
        sample: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1 },
        fresh: { type: 'boolean', default: false },
      },
      additionalProperties: false,
    },
    handler: async (call) => {
      const { server, params, query, caller, run } = call;
      // A fresh census reads the whole collection: a viewer looping on it would undo the cache.
      if (query.fresh && caller && !roleAllows(caller.role, 'operator'))
        throw new ApiError(403, 'auth.forbidden', 'fresh=true needs the operator role', 'query.fresh');
      const contract = await contractOf(call as CollectionCall);
      const { value, computedAt, ageSeconds } = await server.census.get(
        censusKey(contract, query.sample),
        query.fresh,
        () => censusOf(server.config, params.collection, query.sample, run()),
      );
      return { ...(value as Census), computedAt, ageSeconds };
    },
  }),
  defineRoute<Record<string, never>, { field: string }>({
    method: 'GET',
    url: '/contracts/impact',
    role: 'viewer',
    tag: 'contracts',
    summary: 'who and what a change of a field affects: consumers, references, derived state, migrations',
    query: {
      type: 'object',
      properties: {
        field: {
          type: 'string',
          minLength: 3,
          maxLength: 256,
          pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:\\[\\]-]*$',
        },
      },
      required: ['field'],
      additionalProperties: false,
    },
    handler: async ({ server, query }) =>
      contractsImpact({ dir: server.config.contracts.dir, field: query.field, config: server.config }),
  }),
];

type Census = Awaited<ReturnType<typeof censusOf>>;

/** The census of one collection: every document (or the sample) read, counted by version. */
async function censusOf(
  config: ResolvedConfig,
  name: string,
  sample: number,
  options: RunOptions<ContractsVerifyEvent>,
) {
  const result = await contractsVerify(config, { collections: [name], sample, maxFailures: 0 }, options);
  const { collection, versionField, scanned, census, missingVersion, unknownVersion } =
    result.collections[0]!;
  return { collection, versionField, sample, scanned, census, missingVersion, unknownVersion };
}

async function contractOf({ server, params }: CollectionCall) {
  const contracts = await contractsExport({ dir: server.config.contracts.dir });
  const contract = contracts.find((c) => c.collection === params.collection);
  if (!contract)
    throw new StewardError('collection.unknown', `no contract for collection "${params.collection}"`, {
      field: 'collection',
    });
  return contract;
}
