import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResolvedReference } from '../config/resolve-references.js';
import { parseFilter } from '../core/filter.js';
import { caseManagementModel, type ExampleReference } from '../example/case-management-model.js';
import { type ExampleManifest, exampleSpec, generateExample } from '../example/generate-example.js';
import { scanReference } from '../integrity/scan/scan-reference.js';
import { verifyStoredAuditChain } from '../ledger/audit-records.js';
import type { Ledger } from '../ledger/ledger.js';
import { openLedger } from '../ledger/ledger.js';
import { openStore } from '../stores/open-store.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Store } from '../stores/store.js';
import { type ContractsStepResult, contractsStep } from './contracts-step.js';

/** How the demo reports what it does; the CLI renders these steps. */
export interface DemoReporter {
  step(title: string): void;
  say(text: string): void;
  progress(label: string, done: number, total: number): void;
}

export interface DemoOptions {
  /** The SQLite file the example is built in (replaced if present). */
  readonly file: string;
  readonly docs: number;
  readonly seed: string | number;
  readonly actor: string;
}

/** What the demo found, so tests can check it against what was injected. */
export interface DemoResult {
  readonly manifest: ExampleManifest;
  readonly orphansFound: number;
  readonly orphansInjected: number;
  readonly segmentCounts: number[];
  readonly taskCount: number;
  readonly rivalRefused: boolean;
  readonly auditIntact: boolean;
  readonly tamperDetected: boolean;
  readonly contracts: ContractsStepResult & { readonly badShapeInjected: number };
  readonly configFile: string;
}

const injected = { orphans: 25, drift: 10, badShape: 8 };

/**
 * `steward demo`: builds the case-management example in a SQLite file and walks through what
 * steward does so far: the store seam (filters, segments, batched lookups), the ledger (lease,
 * checkpoints, hash-chained audit log) and tamper detection. Each later capability adds a step.
 */
export async function runDemo(options: DemoOptions, report: DemoReporter): Promise<DemoResult> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${options.file}${suffix}`, { force: true });
  mkdirSync(dirname(options.file), { recursive: true });
  const store = await openStore({ kind: 'sqlite', file: options.file });
  try {
    const ledger = await openLedger(store, { actor: options.actor });
    return await walk(store, ledger, options, report);
  } finally {
    await store.close();
  }
}

async function walk(
  store: Store,
  ledger: Ledger,
  options: DemoOptions,
  report: DemoReporter,
): Promise<DemoResult> {
  const holder = `${options.actor}#${randomBytes(3).toString('hex')}`;
  const lease = await ledger.acquireLease({ name: 'demo', holder, ttlMs: 60_000 });

  report.step(`1. Build the case-management example (${options.docs} documents, seed ${options.seed})`);
  const manifest = await generateExample(store, {
    docs: options.docs,
    seed: options.seed,
    faults: injected,
    onProgress: (done, total) => report.progress('   writing', done, total),
  });
  for (const [name, count] of Object.entries(manifest.counts)) report.say(`   ${name.padEnd(12)} ${count}`);
  report.say(
    `   injected on purpose: ${injected.orphans} orphaned references, ${injected.drift} drifted values, ` +
      `${injected.badShape} malformed documents`,
  );
  await ledger.audit.append({
    action: 'example.generate',
    subject: 'case-management',
    details: { docs: manifest.total, seed: String(options.seed) },
  });
  await ledger.checkpoints.save('demo', { step: 1 }, lease);

  report.step('2. Query through the store seam with the portable filter language');
  const cases = store.collection(exampleSpec('cases'));
  const open = await cases.count({ filter: parseFilter({ closedAt: null }) });
  const urgent = await cases.count({ filter: parseFilter({ closedAt: null, priority: { $gte: 4 } }) });
  report.say(`   open cases {closedAt: null}: ${open}; of those {priority: {$gte: 4}}: ${urgent}`);
  report.say('   a filter with $where, $expr or $function is refused before it reaches any store');

  report.step('3. Split a scan into 4 segments, as 4 machines would');
  const segmentCounts = await countBySegment(store, 4);
  const taskCount = await store.collection(exampleSpec('tasks')).count();
  const sum = segmentCounts.reduce((a, b) => a + b, 0);
  report.say(
    `   segments read ${segmentCounts.join(' + ')} = ${sum} tasks; the collection holds ${taskCount}`,
  );

  report.step('4. Find orphaned references with one batched lookup per page');
  let orphansFound = 0;
  for (const ref of caseManagementModel.references) {
    const found = await scanReference({
      reference: exampleReference(ref),
      source: store.collection(exampleSpec(ref.collection)),
      target: store.collection(exampleSpec(ref.target)),
      ledger,
      holder,
    });
    orphansFound += found.orphans;
    const name = `${ref.collection}.${ref.field} -> ${ref.target}`;
    report.say(
      `   ${name.padEnd(40)} ${String(found.orphans).padStart(4)} orphans in ${found.scanned} documents`,
    );
  }
  const orphansInjected = manifest.faults.filter((f) => f.kind === 'orphan').length;
  report.say(`   found ${orphansFound} orphans; the generator injected ${orphansInjected}`);
  report.say('   each one is an incident in the ledger, updated by every rescan and closed once fixed');
  await ledger.audit.append({
    action: 'demo.orphans',
    subject: 'references',
    details: { found: orphansFound },
  });
  await ledger.checkpoints.save('demo', { step: 4 }, lease);

  report.step('5. Data contracts: check two proposed changes, verify the stored documents, draw the map');
  const contracts = await contractsStep(
    store,
    dirname(options.file),
    new Date().toISOString().slice(0, 10),
    report,
  );
  const badShapeInjected = manifest.faults.filter((f) => f.kind === 'bad-shape').length;
  report.say(
    `   found ${contracts.nonConforming} documents breaking their schema; the generator injected ${badShapeInjected}`,
  );
  await ledger.audit.append({
    action: 'demo.contracts',
    subject: 'contracts',
    details: { breakingRejected: contracts.breakingRejected, nonConforming: contracts.nonConforming },
  });

  report.step('6. The ledger: a lease only one process holds, and a hash-chained audit log');
  const rival = await ledger
    .acquireLease({ name: 'demo', holder: 'another-process', ttlMs: 60_000 })
    .then(() => undefined)
    .catch((error: Error) => error.message);
  report.say(`   lease "demo" held with fencing token ${lease.token}`);
  report.say(`   a second process asking for it: ${rival ?? 'acquired it (this is a bug)'}`);
  const verified = await ledger.audit.verify();
  report.say(`   audit log: ${verified.checked} records, chain ${verified.ok ? 'intact' : 'BROKEN'}`);

  report.step('7. Tamper with a copy of the audit log and watch verification catch it');
  const tampered = await tamperWithCopy(store, ledger);
  const tamperDetected = tampered.some((p) => p.startsWith('seq 1 modified'));
  report.say(
    `   changed the actor of record 1 in the copy; verify reports: ${tampered.join(', ') || 'nothing'}`,
  );
  await ledger.audit.append({ action: 'demo.finish', subject: 'demo', details: { tamperDetected } });
  await ledger.checkpoints.clear('demo', lease);
  await lease.release();

  const configFile = join(dirname(options.file), 'steward.config.json');
  writeFileSync(configFile, `${JSON.stringify(demoConfig(options.file), null, 2)}\n`);
  report.step('Done. Explore the example with:');
  report.say(
    `   steward find cases --config ${configFile} --where '{"closedAt":null,"priority":{"$gte":4}}' --limit 3`,
  );
  report.say(`   steward count tasks --config ${configFile}`);
  report.say(`   steward audit verify --config ${configFile}`);
  report.say(`   steward refs scan --config ${configFile}`);
  report.say(`   steward refs incidents --status open --config ${configFile}`);
  report.say(`   steward contracts verify --config ${configFile}`);
  report.say(`   steward contracts impact subjects.name --config ${configFile}`);
  report.say(`   steward graph --config ${configFile} --out data-flow.md`);
  return {
    manifest,
    orphansFound,
    orphansInjected,
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
  const sandbox = { ...ledger.namespace.audit, name: `${ledger.namespace.audit.name}_sandbox` };
  try {
    await store.copyCollection(ledger.namespace.audit, sandbox);
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

function demoConfig(file: string) {
  const collections = Object.fromEntries(
    Object.keys(caseManagementModel.collections).map((name) => [name, { key: 'id' }]),
  );
  const references = Object.fromEntries(
    caseManagementModel.references.map((ref) => [`${ref.collection}.${ref.field}`, { target: ref.target }]),
  );
  return {
    stores: { demo: { kind: 'sqlite', file } },
    collections,
    references,
    ledger: { store: 'demo' },
    contracts: { dir: 'contracts' },
  };
}

/** An example reference as a config declaring it resolves it. */
function exampleReference(ref: ExampleReference): ResolvedReference {
  return {
    name: `${ref.collection}.${ref.field}`,
    collection: ref.collection,
    field: ref.field,
    target: ref.target,
    owner: 'unowned',
    onMissing: 'flag',
    required: false,
  };
}
