import { relative } from 'node:path';
import type { ResolvedCollection, ResolvedConfig } from '../../config/resolved-config.js';
import type { Contract } from '../../contracts/contract.js';
import { loadContracts } from '../../contracts/load-contracts.js';
import { verifyCollection } from '../../contracts/verify/verify-collection.js';
import type { VerifyReport } from '../../contracts/verify/verify-report.js';
import { metadataFields } from '../../derived/projection-metadata.js';
import { StewardError } from '../../errors/steward-error.js';
import type { Segment } from '../../stores/store.js';
import { estimatedTotal, type ProgressTick, progressTick } from '../progress-tick.js';
import { type RunOptions, throwIfAborted } from '../run-options.js';
import { storesOf, withStores } from '../with-stores.js';
import { checkDeclarations } from './check-declarations.js';

/** What to verify and how strictly. */
export interface ContractsVerifyInput {
  /** Collections to verify, each declared with a contract; default every contract's declared collection. */
  readonly collections?: readonly string[];
  /** Examine this fraction of the documents, chosen by key (the same ones every run). Default 1. */
  readonly sample?: number;
  /** Non-conforming documents to list per collection. Default 20. */
  readonly maxFailures?: number;
  /** Lowest acceptable percent of conforming documents. Default 100. */
  readonly threshold?: number;
  /** Only this segment of each collection, as a worker of N would read it. */
  readonly segment?: Segment;
  /** What messages name paths relative to. Default the working directory. */
  readonly cwd?: string;
}

/**
 * Documents read so far in a collection (the phase is the collection's name; the total is the
 * store's estimate, or its segment's share), and each collection's report when done.
 */
export type ContractsVerifyEvent =
  | ProgressTick
  | { readonly type: 'verified'; readonly report: VerifyReport & { store: string } };

/** A collection's report, with its store and whether it passed the gate. */
export type VerifiedCollection = VerifyReport & { readonly store: string; readonly passed: boolean };

/** What `contractsVerify` found: `ok` when every collection passed. */
export interface ContractsVerifyResult {
  readonly ok: boolean;
  readonly threshold: number;
  readonly collections: VerifiedCollection[];
  /** Contracts whose collection the config does not declare, when none was named. */
  readonly skipped: { readonly collection: string; readonly reason: string }[];
}

interface Target {
  readonly collection: ResolvedCollection;
  readonly contract: Contract;
}

/**
 * How much of the stored data conforms to its contract: reads each collection page by page and
 * validates every document (or a sample) with the schema of the version in its version field. A
 * collection passes when at least `threshold` percent conform and every document carries a
 * declared version. steward's projection metadata (`_projection`, or the field a derived declaration
 * names) is left out of the check: the contract need not declare it.
 */
export async function contractsVerify(
  config: ResolvedConfig,
  input: ContractsVerifyInput = {},
  options: RunOptions<ContractsVerifyEvent> = {},
): Promise<ContractsVerifyResult> {
  const cwd = input.cwd ?? process.cwd();
  const threshold = input.threshold ?? 100;
  const label = relative(cwd, config.contracts.dir) || '.';
  const { contracts, registry } = await loadContracts(config.contracts.dir, { label });
  await checkDeclarations(config, contracts, cwd);
  const { targets, skipped } = chooseTargets(input.collections ?? [], config, contracts, label, cwd);
  const stores = storesOf(
    config,
    targets.map((t) => t.collection.name),
  );
  const reports = await withStores(config, stores, async (opened) => {
    const out: (VerifyReport & { store: string })[] = [];
    for (const { collection, contract } of targets) {
      throwIfAborted(options.signal, `verifying ${collection.name}`);
      const handle = opened.get(collection.store)!.collection(collection.spec);
      const total = options.onProgress ? await estimatedTotal(handle, input.segment) : undefined;
      options.onProgress?.(progressTick(collection.name, 0, total));
      const report = await verifyCollection(handle, contract, registry, {
        sample: input.sample ?? 1,
        maxFailures: input.maxFailures ?? 20,
        ignoreFields: metadataFields(config.derived.values(), collection.name),
        ...(input.segment ? { segment: input.segment } : {}),
        onProgress: (n) => options.onProgress?.(progressTick(collection.name, n, total)),
      });
      const verified = { store: collection.store, ...report };
      options.onProgress?.({ type: 'verified', report: verified });
      out.push(verified);
    }
    return out;
  });
  const collections = reports.map((r) => ({ ...r, passed: passes(r, threshold) }));
  return { ok: collections.every((c) => c.passed), threshold, collections, skipped };
}

/**
 * The collections to verify: the named ones, each of which must be declared and have a contract,
 * or else every contract whose collection the config declares (the others are skipped, noted).
 */
function chooseTargets(
  names: readonly string[],
  config: ResolvedConfig,
  contracts: readonly Contract[],
  label: string,
  cwd: string,
): { targets: Target[]; skipped: ContractsVerifyResult['skipped'] } {
  const byName = new Map(contracts.map((c) => [c.collection, c]));
  const where = config.file ? relative(cwd, config.file) : 'the config';
  if (names.length > 0) {
    const targets = [...new Set(names)].map((name) => {
      const collection = config.collections.get(name);
      if (!collection)
        throw new StewardError('collection.unknown', `collection "${name}" is not declared in ${where}`, {
          collection: name,
        });
      const contract = byName.get(name);
      if (!contract)
        throw new StewardError(
          'usage',
          `collection "${name}" has no contract in ${label}: add ${name}.contract.json there, or leave the name out`,
          { collection: name },
        );
      return { collection, contract };
    });
    return { targets, skipped: [] };
  }
  const targets: Target[] = [];
  const skipped: ContractsVerifyResult['skipped'] = [];
  for (const contract of contracts) {
    const collection = config.collections.get(contract.collection);
    if (collection) targets.push({ collection, contract });
    else
      skipped.push({
        collection: contract.collection,
        reason: `${where} does not declare it (its contract is ${contract.file})`,
      });
  }
  if (targets.length === 0)
    throw new StewardError(
      'usage',
      `nothing to verify: no contract in ${label} names a collection declared in ${where}`,
    );
  return { targets, skipped };
}

/** The gate: enough conforming documents, and every document carrying a declared version. */
function passes(r: VerifyReport, threshold: number): boolean {
  const versionless = r.missingVersion + r.unknownVersion.count;
  return versionless === 0 && (r.checked === 0 || (r.conforming * 100) / r.checked >= threshold);
}
