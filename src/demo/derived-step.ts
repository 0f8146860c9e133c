import { parseFilter } from '../core/filter.js';
import { formatCount } from '../core/format-count.js';
import type { DriftReport } from '../derived/drift-report.js';
import { type ExampleManifest, exampleSpec } from '../example/generate-example.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Store } from '../stores/store.js';
import { derivedRebuild } from '../workspace/derived/derived-rebuild.js';
import { derivedAmplification, derivedLint } from '../workspace/derived/derived-reports.js';
import { derivedStatus } from '../workspace/derived/derived-status.js';
import { driftCheck } from '../workspace/derived/drift-check.js';
import { driftRepair } from '../workspace/derived/drift-repair.js';
import { type DemoSession, expectStep } from './demo-session.js';
import type { DemoReporter } from './run-demo.js';

/** What the derived-state step found and fixed, for the demo's result and its test. */
export interface DerivedStepResult {
  readonly driftFound: number;
  readonly driftInjected: number;
  readonly repaired: number;
  /**
   * Snapshot values that differ from their source now: the value as taken, by design. Drift check
   * reports them apart from drift, and nothing repairs them.
   */
  readonly snapshotsKept: number;
  /** Snapshot differences the generator planted. */
  readonly snapshotDifferencesInjected: number;
  /** Drift the check after the repair found: 0. */
  readonly driftAfterRepair: number;
  readonly rebuiltTenant: number;
  /** Errors `derived lint` found in the example's declarations: 0, it shows good practice. */
  readonly lintErrors: number;
  /** The write amplification factor of each source collection. */
  readonly amplification: Readonly<Record<string, number>>;
  /** Case list documents the tenant's rebuild looked at, and how many it had to write. */
  readonly rebuild: { readonly examined: number; readonly written: number };
}

/** The case list's counters, which the demo rebuilds for one tenant. */
const counters = ['openTaskCount', 'overdueTaskCount'];

/**
 * The demo's derived-state step, run through the library as the `drift`, `rebuild` and `derived`
 * commands run: check every declared derived value against its source (the case list's open and
 * overdue task counts, its subject and officer names), rebuild the counters of one tenant where one
 * drifted, repair the rest of the drift, check again (a snapshot's differences from its source are
 * reported apart: not drift, kept as taken); then lint the declarations, show each one's freshness
 * and the write amplification.
 */
export async function derivedStep(
  store: Store,
  session: DemoSession,
  manifest: ExampleManifest,
  report: DemoReporter,
): Promise<DerivedStepResult> {
  const { config, run } = session;
  const check = await driftCheck(config, {}, run);
  for (const r of check.reports)
    report.say(
      `   ${r.derived.padEnd(30)} ${formatCount(r.drift).padStart(4)} drifted of ${formatCount(r.checked)} checked`,
    );
  const driftFound = sum(check.reports.map((r) => r.drift));
  const driftInjected = manifest.faults.filter((f) => f.kind === 'drift').length;
  report.say(`   found ${driftFound} drifted values; the generator injected ${driftInjected}`);
  const snapshots = check.reports.filter((r) => r.snapshot);
  const snapshotsKept = sum(snapshots.map((r) => r.snapshot?.differsFromSource ?? 0));
  const snapshotDifferencesInjected = manifest.faults.filter((f) => f.kind === 'snapshot-difference').length;
  for (const r of snapshots)
    report.say(
      `   ${r.derived} is a snapshot (the value as it was when taken): ${r.snapshot?.differsFromSource} differ from ` +
        `the source now, by design; not drift, and left as taken (the generator planted ${snapshotDifferencesInjected})`,
    );

  const tenant = await tenantOfFirstDriftedCounter(store, check.reports);
  const keys = await tenantCases(store, tenant);
  let examined = 0;
  let written = 0;
  for (const field of counters) {
    const rebuilt = await derivedRebuild(
      config,
      { derived: `case_list.${field}`, scope: { ids: keys } },
      run,
    );
    expectStep('report' in rebuilt && rebuilt.ok, 'rebuild', rebuilt);
    examined += rebuilt.report.examined;
    written += rebuilt.report.written;
  }
  report.say(
    `   rebuild of tenant ${tenant}'s case list counters (${formatCount(keys.length)} cases): ${formatCount(examined)} values recomputed, ` +
      `${formatCount(written)} written, the rest already matched`,
  );

  const repair = await driftRepair(config, {}, run);
  const repaired = sum(repair.reports.map((r) => r.written));
  report.say(
    `   drift repair of the remaining incidents: ${repaired} values written, each with projection metadata ` +
      'and an audit record',
  );
  const repairable = repair.reports
    .filter((r) => !snapshots.some((s) => s.derived === r.derived))
    .map((r) => r.derived);
  const recheck = await driftCheck(config, { derived: repairable }, run);
  expectStep(recheck.ok, 'drift check', 'drift is left after the repair');
  const driftAfterRepair = sum(recheck.reports.map((r) => r.drift));
  report.say(
    `   drift check of the ${repairable.length} repaired derived values again: ${formatCount(driftAfterRepair)} drifted`,
  );

  const lint = await derivedLint(config);
  const rules = [...new Set(lint.findings.map((f) => f.rule))].join(', ');
  report.say(`   derived lint: ${lint.errors} errors, ${lint.warnings} warnings (${rules})`);
  const status = await derivedStatus(config, {}, run);
  for (const s of status.statuses)
    report.say(
      `   derived status ${s.derived.padEnd(28)} ${s.state}; ${formatCount(s.documents - s.withoutMetadata)} of ${formatCount(s.documents)} ` +
        'documents carry projection metadata (repair and rebuild stamp it)',
    );
  const amplification = { sources: derivedAmplification(config) };
  for (const a of amplification.sources)
    report.say(
      `   write amplification of ${a.source.padEnd(9)} ${a.factor}: ` +
        (a.derivedWrites > 0
          ? `one write also writes ${a.derivedWrites} derived value(s) in ${a.collections.join(', ')}`
          : 'its writes refresh no derived value (what it feeds is refreshed by hand)'),
    );
  return {
    lintErrors: lint.errors,
    amplification: Object.fromEntries(amplification.sources.map((a) => [a.source, a.factor])),
    driftFound,
    driftInjected,
    repaired,
    snapshotsKept,
    snapshotDifferencesInjected,
    driftAfterRepair,
    rebuiltTenant: tenant,
    rebuild: { examined, written },
  };
}

/** The tenant of the first case whose counter drifted, so that its rebuild has something to fix. */
async function tenantOfFirstDriftedCounter(store: Store, reports: readonly DriftReport[]): Promise<number> {
  const finding = reports.find((r) => counters.some((c) => r.derived === `case_list.${c}`) && r.drift > 0)
    ?.findings[0];
  if (!finding) return 1;
  const cases = await store.collection(exampleSpec('cases')).getMany([finding.key]);
  const tenant = [...cases.values()][0]?.tenantId;
  return typeof tenant === 'number' ? tenant : 1;
}

/** Keys of the tenant's cases, which are also the keys of their case list documents. */
async function tenantCases(store: Store, tenant: number): Promise<string[]> {
  const keys: string[] = [];
  const cases = store.collection(exampleSpec('cases'));
  for await (const page of scanPages(cases, { filter: parseFilter({ tenantId: tenant }), limit: 1000 }))
    for (const doc of page.docs) keys.push(String(doc.id));
  return keys;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
