import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { parseFilter } from '../core/filter.js';
import { formatCount } from '../core/format-count.js';
import { type ExampleManifest, exampleSpec, generateExample } from '../example/generate-example.js';
import { verifyStoredAuditChain } from '../ledger/audit-records.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Store } from '../stores/store.js';
import { approvalsKeygen } from '../workspace/approvals.js';
import { tokensCreate } from '../workspace/tokens.js';
import { withWorkspace } from '../workspace/workspace.js';
import { type ContractsStepResult, contractsStep } from './contracts-step.js';
import { claimDemoFolder, demoMarkerName } from './demo-folder.js';
import { demoApprovers, demoStore, writeDemoConfig } from './demo-project.js';
import type { DemoSession } from './demo-session.js';
import { type DerivedStepResult, derivedStep } from './derived-step.js';
import { type IntegrityStepResult, integrityStep } from './integrity-step.js';
import { type MigrationsStepResult, migrationsStep } from './migrations-step.js';

/** How the demo reports what it does; the CLI renders these steps. */
export interface DemoReporter {
  step(title: string): void;
  say(text: string): void;
  progress(label: string, done: number, total: number): void;
}

export interface DemoOptions {
  /**
   * The SQLite file the example is built in. Its folder must be new, empty or the demo's own (see
   * `demo-folder.ts`); everything the demo writes goes there.
   */
  readonly file: string;
  readonly docs: number;
  readonly seed: string | number;
  readonly actor: string;
}

/** What the demo found, so tests can check it against what was injected. */
export interface DemoResult {
  readonly manifest: ExampleManifest;
  readonly integrity: IntegrityStepResult;
  readonly derived: DerivedStepResult;
  readonly migrations: MigrationsStepResult;
  readonly segmentCounts: number[];
  readonly taskCount: number;
  readonly rivalRefused: boolean;
  readonly auditIntact: boolean;
  readonly tamperDetected: boolean;
  readonly contracts: ContractsStepResult & { readonly badShapeInjected: number };
  readonly configFile: string;
  /** API tokens made for `steward serve` on the example (shown once, in the demo's output). */
  readonly tokens: { readonly viewer: string; readonly approver: string };
  /** The folder the demo wrote in, and what it wrote there (relative paths, folders ending in `/`). */
  readonly dir: string;
  readonly written: readonly string[];
}

const injected = { orphans: 25, drift: 10, badShape: 8 };

/**
 * `steward demo`: builds the case-management example in a SQLite file, with faults injected on
 * purpose, and walks through what steward does: the store seam (filters, segments), data contracts,
 * integrity (orphans found, repaired by policy, scanned clean), derived data (drift found, repaired,
 * a tenant rebuilt), a migration from plan to exact rollback, the ledger (lease, hash-chained audit
 * log) and tamper detection. It works through steward's library, on the config it writes beside
 * the file: steps 5 to 7 call the entry points the CLI's commands call, as a user's script would.
 */
export async function runDemo(options: DemoOptions, report: DemoReporter): Promise<DemoResult> {
  const folder = claimDemoFolder(options.file);
  report.say(
    folder.created
      ? `writing in ${folder.dir}, a new folder`
      : folder.removed.length > 0
        ? `writing in ${folder.dir}, after removing the ${formatCount(folder.removed.length)} files and folders the last demo wrote there`
        : `writing in ${folder.dir}, an empty folder`,
  );
  mkdirSync(join(folder.dir, 'keys'), { recursive: true });
  for (const approver of demoApprovers) approvalsKeygen({ out: join(folder.dir, 'keys', approver.name) });
  const configFile = writeDemoConfig(folder.dir, options.file);
  const config = await loadConfig({ path: configFile });
  const session: DemoSession = { config, run: { actor: options.actor } };
  const result = await withWorkspace(config, {}, options.actor, ({ store, ledger }) =>
    walk(store(demoStore), ledger, session, options, report),
  );
  const tokens = await serveTokens(config, options.actor);
  report.say(`\nServe the example over HTTP (OpenAPI at /openapi.json, UI at /docs):`);
  report.say(`   steward serve --config ${configFile} --port 7373`);
  report.say(`   viewer token (reads):            ${tokens.viewer}`);
  report.say(`   approver token (reads, approves): ${tokens.approver}`);
  report.say(
    `   curl -H "Authorization: Bearer ${tokens.viewer}" http://127.0.0.1:7373/contracts/subjects/schema-version`,
  );
  report.say('   the tokens are shown only now and expire in 7 days; make more with "steward tokens create"');
  const written = folder.finish();
  report.say(
    `\nwrote ${formatCount(written.length)} files and folders in ${folder.dir}, listed in ${demoMarkerName}: ` +
      'the next run replaces exactly those',
  );
  return { ...result, tokens, dir: folder.dir, written };
}

/** A viewer and an approver token for `steward serve` on the example, made as `steward tokens create` makes them. */
async function serveTokens(config: ResolvedConfig, actor: string): Promise<DemoResult['tokens']> {
  const make = async (name: string, role: string) =>
    (await tokensCreate(config, { name, role, expiresInMs: 7 * 86_400_000 }, { actor })).token;
  return { viewer: await make('demo-viewer', 'viewer'), approver: await make('demo-approver', 'approver') };
}

async function walk(
  store: Store,
  ledger: Ledger,
  session: DemoSession,
  options: DemoOptions,
  report: DemoReporter,
): Promise<Omit<DemoResult, 'dir' | 'written' | 'tokens'>> {
  const configFile = session.config.file!;
  const holder = `${options.actor}#${randomBytes(3).toString('hex')}`;
  const lease = await ledger.acquireLease({ name: 'demo', holder, ttlMs: 600_000 });

  report.step(`1. Build the case-management example (${options.docs} documents, seed ${options.seed})`);
  const manifest = await generateExample(store, {
    docs: options.docs,
    seed: options.seed,
    faults: injected,
    onProgress: (done, total) => report.progress('   writing', done, total),
  });
  for (const [name, count] of Object.entries(manifest.counts))
    report.say(`   ${name.padEnd(12)} ${formatCount(count)}`);
  report.say(
    `   injected on purpose: ${formatCount(injected.orphans)} orphaned references, ${formatCount(injected.drift)} drifted values, ` +
      `${formatCount(injected.badShape)} malformed documents`,
  );
  await ledger.audit.append({
    action: 'example.generate',
    subject: 'case-management',
    details: { docs: manifest.total, seed: String(options.seed) },
  });
  const dir = dirname(options.file);
  report.say(`   wrote ${configFile}: the example's references, derived state, approvers and policies`);
  await ledger.checkpoints.save('demo', { step: 1 }, lease);

  report.step('2. Query through the store seam with the portable filter language');
  const cases = store.collection(exampleSpec('cases'));
  const open = await cases.count({ filter: parseFilter({ closedAt: null }) });
  const urgent = await cases.count({ filter: parseFilter({ closedAt: null, priority: { $gte: 4 } }) });
  report.say(
    `   open cases {closedAt: null}: ${formatCount(open)}; of those {priority: {$gte: 4}}: ${formatCount(urgent)}`,
  );
  report.say('   a filter with $where, $expr or $function is refused before it reaches any store');

  report.step('3. Split a scan into 4 segments, as 4 machines would');
  const segmentCounts = await countBySegment(store, 4);
  const taskCount = await store.collection(exampleSpec('tasks')).count();
  const sum = segmentCounts.reduce((a, b) => a + b, 0);
  report.say(
    `   segments read ${segmentCounts.map(formatCount).join(' + ')} = ${formatCount(sum)} tasks; the collection holds ${formatCount(taskCount)}`,
  );

  report.step('4. Data contracts: check two proposed changes, verify the stored documents, draw the map');
  const contracts = await contractsStep(store, dir, new Date().toISOString().slice(0, 10), report);
  const badShapeInjected = manifest.faults.filter((f) => f.kind === 'bad-shape').length;
  report.say(
    `   found ${contracts.nonConforming} documents breaking their schema; the generator injected ${badShapeInjected}`,
  );
  await ledger.checkpoints.save('demo', { step: 4 }, lease);

  // From here on the demo calls the library's entry points, as the commands a user would type do.
  report.step('5. Integrity: find the orphaned references, repair each by its policy, scan again');
  const integrity = await integrityStep(store, session, manifest, report);
  await ledger.checkpoints.save('demo', { step: 5 }, lease);

  report.step(
    '6. Derived data: find the drifted values, rebuild one tenant, repair the rest, lint, status, amplification',
  );
  const derived = await derivedStep(store, session, manifest, report);
  await ledger.checkpoints.save('demo', { step: 6 }, lease);

  report.step('7. A migration: plan, dry run, approvals, canary, apply, and an exact rollback');
  const migrations = await migrationsStep(store, session, dir, manifest, report);
  await ledger.checkpoints.save('demo', { step: 7 }, lease);

  report.step('8. The ledger: a lease only one process holds, and a hash-chained audit log');
  const rival = await ledger
    .acquireLease({ name: 'demo', holder: 'another-process', ttlMs: 60_000 })
    .then(() => undefined)
    .catch((error: Error) => error.message);
  report.say(`   lease "demo" held with fencing token ${lease.token}`);
  report.say(`   a second process asking for it: ${rival ?? 'acquired it (this is a bug)'}`);
  const verified = await ledger.audit.verify();
  report.say(
    `   audit log: ${formatCount(verified.checked)} records, chain ${verified.ok ? 'intact' : 'BROKEN'}`,
  );

  report.step('9. Tamper with a copy of the audit log and watch verification catch it');
  const tampered = await tamperWithCopy(store, ledger);
  const tamperDetected = tampered.some((p) => p.startsWith('seq 1 modified'));
  report.say(
    `   changed the actor of record 1 in the copy; verify reports: ${tampered.join(', ') || 'nothing'}`,
  );
  await ledger.audit.append({ action: 'demo.finish', subject: 'demo', details: { tamperDetected } });
  await ledger.checkpoints.clear('demo', lease);
  await lease.release();

  report.step('Done. Explore the example with:');
  report.say(
    `   steward find cases --config ${configFile} --where '{"closedAt":null,"priority":{"$gte":4}}' --limit 3`,
  );
  report.say(`   steward count tasks --config ${configFile}`);
  report.say(`   steward audit verify --config ${configFile}`);
  report.say(`   steward refs scan --config ${configFile}`);
  report.say(`   steward refs incidents --config ${configFile}`);
  report.say(`   steward drift check --config ${configFile}`);
  report.say(`   steward migrate history --config ${configFile}`);
  report.say(`   steward contracts verify --config ${configFile}`);
  report.say(`   steward contracts impact subjects.name --config ${configFile}`);
  report.say(`   steward graph --config ${configFile} --out data-flow.md`);
  return {
    manifest,
    integrity,
    derived,
    migrations,
    segmentCounts,
    taskCount,
    rivalRefused: rival !== undefined,
    auditIntact: verified.ok,
    tamperDetected,
    contracts: { ...contracts, badShapeInjected },
    configFile,
  };
}

async function countBySegment(store: Store, total: number): Promise<number[]> {
  const tasks = store.collection(exampleSpec('tasks'));
  const counts: number[] = [];
  for (let index = 0; index < total; index++) {
    let n = 0;
    for await (const page of scanPages(tasks, { segment: { index, total }, limit: 1000 }))
      n += page.docs.length;
    counts.push(n);
  }
  return counts;
}

/** Copies the audit log into a sandbox, changes one record there, verifies the copy, drops it. */
async function tamperWithCopy(store: Store, ledger: Ledger): Promise<string[]> {
  const audit = ledger.audit.collection.spec;
  const sandbox = { ...audit, name: `${audit.name}_sandbox` };
  try {
    await store.copyCollection(audit, sandbox);
    const copy = store.collection(sandbox);
    const page = await copy.scan({ limit: 10 });
    const victim = page.docs.find((d) => d.seq === 1);
    if (victim) await copy.write([{ type: 'replace', doc: { ...victim, actor: 'mallory' } }]);
    const result = await verifyStoredAuditChain(copy);
    return result.problems.map((p) => `seq ${p.seq} ${p.kind}`);
  } finally {
    await store.dropCollection(sandbox);
  }
}
