import { dirname, join } from 'node:path';
import { formatCount } from '../core/format-count.js';
import type { JsonObject } from '../core/json.js';
import type { ExampleManifest } from '../example/generate-example.js';
import { exampleSpec } from '../example/generate-example.js';
import { needsAttention } from '../integrity/repair/repair-result.js';
import type { ReferenceScanReport } from '../integrity/scan/scan-report.js';
import { keyId, type Store } from '../stores/store.js';
import { approvalsSign } from '../workspace/approvals.js';
import { refsRepair } from '../workspace/integrity/refs-repair.js';
import { refsScan } from '../workspace/integrity/refs-scan.js';
import { demoApprovers, subjectsArchive } from './demo-project.js';
import { type DemoSession, expectStep } from './demo-session.js';
import type { DemoReporter } from './run-demo.js';

/** What the integrity step found and fixed, for the demo's result and its test. */
export interface IntegrityStepResult {
  readonly orphansFound: number;
  readonly orphansInjected: number;
  /** Orphans the first scan found, by reference. */
  readonly orphansByReference: Readonly<Record<string, number>>;
  /** Repairs refused for want of an approval on the first run (the delete-dependent plans). */
  readonly refusedWithoutApproval: number;
  /** Incidents repaired, by policy. */
  readonly repaired: Readonly<Record<string, number>>;
  /** Orphans the scan after the repair found: 0 when every policy did its job. */
  readonly orphansAfterRepair: number;
  /** Documents a second repair run changed: 0, repairs are idempotent. */
  readonly changedBySecondRepair: number;
}

/**
 * The demo's integrity step, run through the library as `steward refs scan`, `refs repair` and
 * `approvals sign` run: scan every reference, restore
 * deleted subjects into an archive (the source `rehydrate` reads), repair by policy (the
 * deletions are refused until an owner signs their plan), repair again with the approval, scan
 * again to show it clean, and repair once more to show that nothing changes.
 */
export async function integrityStep(
  store: Store,
  session: DemoSession,
  manifest: ExampleManifest,
  report: DemoReporter,
): Promise<IntegrityStepResult> {
  const { config, run } = session;
  const scan = { references: (await refsScan(config, {}, run)).references as ReferenceScanReport[] };
  for (const ref of scan.references) {
    const name = `${ref.reference} -> ${ref.target}`;
    report.say(
      `   ${name.padEnd(40)} ${formatCount(ref.orphans).padStart(4)} orphans in ${formatCount(ref.scanned)} documents`,
    );
  }
  const orphansFound = sum(scan.references.map((r) => r.orphans));
  const orphansInjected = manifest.faults.filter((f) => f.kind === 'orphan').length;
  report.say(
    `   found ${formatCount(orphansFound)} orphans; the generator injected ${formatCount(orphansInjected)}; each is an incident`,
  );

  const archived = await archiveMissingSubjects(store, manifest);
  report.say(
    `   ${archived} deleted subjects are kept in ${subjectsArchive}, where "rehydrate" restores them from`,
  );

  const first = await refsRepair(config, {}, run);
  const plans = first.references.filter((r) => r.plan && !r.plan.approval.ok);
  report.say(
    `   refs repair: ${formatCount(first.counts.done)} repaired; ${formatCount(first.counts.refused)} deletions refused until their plan is approved`,
  );
  const owner = demoApprovers[0];
  for (const ref of plans) {
    await approvalsSign(
      config,
      {
        subject: ref.plan!.hash,
        kind: 'refs.delete-dependent',
        keyFile: keyFileOf(config.file, owner.name),
        approver: owner.name,
        role: owner.role,
        expiresInMs: dayMs,
      },
      run,
    );
    report.say(
      `   ${owner.name} (${owner.role}) signs the plan of ${ref.reference}: ${formatCount(ref.plan!.incidents)} deletions`,
    );
  }
  const second = await refsRepair(config, {}, run);
  expectStep(!needsAttention(second), 'refs repair', second.counts);
  const repaired: Record<string, number> = {};
  for (const ref of [...first.references, ...second.references])
    repaired[ref.policy] = (repaired[ref.policy] ?? 0) + ref.counts.done;
  report.say(
    `   refs repair again: ${Object.entries(repaired)
      .map(([policy, n]) => `${n} ${policy}`)
      .join(', ')}; every change audited with its before-image`,
  );

  const rescanned = await refsScan(config, {}, run);
  expectStep(rescanned.ok, 'refs scan', 'orphans are left after the repair');
  const rescan = { references: rescanned.references as ReferenceScanReport[] };
  const orphansAfterRepair = sum(rescan.references.map((r) => r.orphans));
  report.say(
    `   second scan: ${formatCount(orphansAfterRepair)} orphans in ${formatCount(sum(rescan.references.map((r) => r.scanned)))} documents`,
  );
  const third = await refsRepair(config, {}, run);
  expectStep(!needsAttention(third), 'refs repair', third.counts);
  const changedBySecondRepair = third.counts.done;
  report.say(`   a third repair finds nothing to do: ${formatCount(changedBySecondRepair)} changes`);
  return {
    orphansFound,
    orphansInjected,
    orphansByReference: Object.fromEntries(scan.references.map((r) => [r.reference, r.orphans])),
    refusedWithoutApproval: first.counts.refused,
    repaired,
    orphansAfterRepair,
    changedBySecondRepair,
  };
}

/**
 * Plays the subject registry's archive: for every subject key the generator made an orphan point
 * at, a copy of the subject it replaced, under the missing key. Returns how many were written.
 */
async function archiveMissingSubjects(store: Store, manifest: ExampleManifest): Promise<number> {
  const orphans = manifest.faults.flatMap((f) => (f.kind === 'orphan' && f.target === 'subjects' ? [f] : []));
  const spec = exampleSpec('subjects');
  const originals = await store.collection(spec).getMany(orphans.map((f) => f.expected));
  const archive = { ...spec, name: subjectsArchive };
  await store.ensureCollection(archive);
  const docs: JsonObject[] = [];
  for (const fault of orphans) {
    const original = originals.get(keyId(fault.expected));
    if (original) docs.push({ ...original, id: fault.actual });
  }
  await store.collection(archive).write(docs.map((doc) => ({ type: 'replace', doc, upsert: true })));
  return docs.length;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

const dayMs = 24 * 3_600_000;

/** The private key file `approvalsKeygen` made for an approver, beside the demo's config. */
export function keyFileOf(configFile: string | undefined, approver: string): string {
  return join(dirname(configFile ?? '.'), 'keys', `${approver}.key.pem`);
}
