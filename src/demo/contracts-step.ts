import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkContracts } from '../contracts/check/check-contracts.js';
import type { CheckReport } from '../contracts/check/check-report.js';
import { findingLine } from '../contracts/check/render-check-report.js';
import type { ContractDefinition } from '../contracts/contract.js';
import { buildDataFlowGraph } from '../contracts/graph/data-flow-graph.js';
import { mermaidBlock } from '../contracts/graph/render-graph.js';
import { toMermaid } from '../contracts/graph/to-mermaid.js';
import { toSvg } from '../contracts/graph/to-svg.js';
import { type LoadedContracts, loadContracts } from '../contracts/load-contracts.js';
import { verifyCollection } from '../contracts/verify/verify-collection.js';
import { formatCount } from '../core/format-count.js';
import type { JsonObject } from '../core/json.js';
import type { ExampleCollectionName } from '../example/case-management-model.js';
import { exampleContracts, writeExampleContracts } from '../example/example-contracts.js';
import { exampleSpec } from '../example/generate-example.js';
import type { Store } from '../stores/store.js';
import type { DemoReporter } from './run-demo.js';

/** What the contracts step found, for the demo's result and its test. */
export interface ContractsStepResult {
  readonly breakingRejected: boolean;
  /** Consumers the check named for the breaking proposal. */
  readonly affected: readonly string[];
  readonly safeAccepted: boolean;
  /** Documents `verify` found breaking their schema, over every example collection. */
  readonly nonConforming: number;
  readonly svgFile: string;
}

/**
 * The demo's data-contracts step: the example's contracts are written as the baseline, two
 * proposals for a version 2 of `cases` are checked against it (one drops `priority`, which the
 * reporting service reads; one adds an optional field), the stored documents are verified against
 * their schemas, and the data-flow map is drawn.
 */
export async function contractsStep(
  store: Store,
  dir: string,
  asOf: string,
  report: DemoReporter,
): Promise<ContractsStepResult> {
  writeExampleContracts(join(dir, 'contracts'));
  const baseline = await loadContracts(join(dir, 'contracts'));
  report.say(`   ${formatCount(baseline.contracts.length)} contracts written to ${join(dir, 'contracts')}`);

  const breaking = await proposal(dir, 'breaking', (props, required) => {
    const { priority: _dropped, ...kept } = props;
    return { properties: kept, required: required.filter((f) => f !== 'priority') };
  });
  const breakingReport = checkContracts({ baseline: baseline.contracts, current: breaking, asOf });
  const failing = breakingReport.collections.flatMap((c) => c.findings).filter((f) => f.status === 'failing');
  report.say('   proposal 1, cases v2 without "priority":');
  for (const f of failing) report.say(`     ${findingLine(f)}`);
  const affected = [...new Set(failing.flatMap((f) => f.affected))].sort();

  const safe = await proposal(dir, 'safe', (props, required) => ({
    properties: { ...props, closedReason: { type: 'string' } },
    required,
  }));
  const safeReport = checkContracts({ baseline: baseline.contracts, current: safe, asOf });
  report.say(`   proposal 2, cases v2 with an optional "closedReason": ${verdict(safeReport)}`);

  const nonConforming = await verifyAll(store, baseline, report);

  const graph = buildDataFlowGraph(baseline.contracts);
  const svgFile = join(dir, 'data-flow.svg');
  writeFileSync(svgFile, await toSvg(graph));
  writeFileSync(
    join(dir, 'data-flow.md'),
    `# Data flows of the example\n\n${mermaidBlock(toMermaid(graph))}\n`,
  );
  report.say(
    `   data-flow map: ${formatCount(graph.nodes.length)} services and collections, ${formatCount(graph.edges.length)} flows, drawn in ${svgFile}`,
  );
  return {
    breakingRejected: !breakingReport.ok,
    affected,
    safeAccepted: safeReport.ok,
    nonConforming,
    svgFile,
  };
}

type Reshape = (properties: JsonObject, required: string[]) => { properties: JsonObject; required: string[] };

/** The example's contracts with a version 2 of `cases` made by `reshape`, written and loaded back. */
async function proposal(dir: string, name: string, reshape: Reshape) {
  const contracts = exampleContracts().map((c): ContractDefinition => {
    if (c.collection !== 'cases') return c;
    const v1 = c.versions[0]?.schema as JsonObject;
    const next = reshape(v1.properties as JsonObject, v1.required as string[]);
    return { ...c, versions: [...c.versions, { version: 2, schema: { ...v1, ...next } }] };
  });
  const folder = join(dir, 'proposals', name);
  writeExampleContracts(folder, contracts);
  return (await loadContracts(folder)).contracts;
}

function verdict(report: CheckReport): string {
  return report.ok ? 'accepted, nothing breaks' : `rejected (${report.failing} finding(s))`;
}

async function verifyAll(store: Store, loaded: LoadedContracts, report: DemoReporter): Promise<number> {
  let nonConforming = 0;
  for (const contract of loaded.contracts) {
    const collection = store.collection(exampleSpec(contract.collection as ExampleCollectionName));
    const result = await verifyCollection(collection, contract, loaded.registry);
    nonConforming += result.nonConforming;
    const bad = result.failures.map(
      (f) => `${JSON.stringify(f.key)} (${f.failures.map((x) => x.path).join(', ')})`,
    );
    report.say(
      `   verify ${contract.collection.padEnd(12)} ${String(result.percentConforming).padStart(6)}% conforming` +
        (bad.length > 0 ? `; breaking their schema: ${bad.join(', ')}` : ''),
    );
  }
  return nonConforming;
}
