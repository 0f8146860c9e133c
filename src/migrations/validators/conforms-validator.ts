import type { LoadedContracts } from '../../contracts/load-contracts.js';
import { verifyCollection } from '../../contracts/verify/verify-collection.js';
import type { VerifyReport } from '../../contracts/verify/verify-report.js';
import { formatCount } from '../../core/format-count.js';
import type { Collection } from '../../stores/store.js';
import type { ValidatorDefinition } from '../migration.js';
import { judgePercent } from './percent-judgement.js';
import { maxValidatorProblems, showKey, type ValidatorResult } from './validator-result.js';

type ConformsValidator = Extract<ValidatorDefinition, { kind: 'conforms' }>;

/**
 * Checks every document against its contract's schema for the version the document carries (the
 * streaming check of `contracts verify`), and passes when at least `minPercent` (default 100) of
 * them conform (over a sample, judged with its size: see `percent-judgement.ts`). Documents without a version, or with one the contract does not declare, count
 * against the percentage: after a migration they are exactly what must not be there.
 */
export async function runConformsValidator(
  v: ConformsValidator,
  collection: Collection,
  contracts: LoadedContracts,
  /** What `collection` is a sample of ("the canary"), so the percentage is judged as one. */
  sample?: string,
): Promise<ValidatorResult> {
  const contract = contracts.contracts.find((c) => c.collection === v.collection);
  if (!contract) {
    const message = `${v.collection} has no contract in ${contracts.dir}, so there is no schema to conform to`;
    return { name: v.name, kind: 'conforms', ok: false, message, problems: [message] };
  }
  const report = await verifyCollection(collection, contract, contracts.registry, {
    maxFailures: maxValidatorProblems,
  });
  const minPercent = v.minPercent ?? 100;
  const { ok, rule } = judgePercent({
    conforming: report.conforming,
    checked: report.checked,
    minPercent,
    ...(sample === undefined ? {} : { sample }),
  });
  const census = Object.entries(report.census)
    .filter(([, n]) => n > 0)
    .map(([version, n]) => `v${version}: ${formatCount(n)}`)
    .join(', ');
  const message =
    `${report.percentConforming}% of ${formatCount(report.checked)} document(s) of ${v.collection} conform ` +
    `(${rule}; ${census || 'no documents'})`;
  return { name: v.name, kind: 'conforms', ok, message, problems: problemsOf(report, contract.versionField) };
}

function problemsOf(report: VerifyReport, versionField: string): string[] {
  const problems = report.failures.map((f) => {
    const first = f.failures
      .slice(0, 3)
      .map((s) => `${s.path || '(document)'} ${s.message}`)
      .join('; ');
    return `${showKey(f.key ?? undefined)}: does not match v${f.version}: ${first}`;
  });
  if (report.missingVersion > 0)
    problems.push(`${formatCount(report.missingVersion)} document(s) have no ${versionField}`);
  if (report.unknownVersion.count > 0) {
    const values = Object.keys(report.unknownVersion.values).join(', ');
    problems.push(
      `${formatCount(report.unknownVersion.count)} document(s) carry an undeclared ${versionField}: ${values}`,
    );
  }
  return problems.slice(0, maxValidatorProblems);
}
