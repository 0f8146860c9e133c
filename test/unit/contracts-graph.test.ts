/**
 * The data-flow map: the graph model on the example, from the contracts and from the config,
 * conflicts between the two, its Mermaid and SVG renderings, the SVG layout, the docs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { Contract, ContractDefinition } from '../../src/contracts/contract.js';
import {
  buildDataFlowGraph,
  type ConfigDeclarations,
  configDeclarations,
  type DataFlowGraph,
  edgeKinds,
  type GraphEdge,
  shortList,
} from '../../src/contracts/graph/data-flow-graph.js';
import { formatForFile, mermaidBlock, renderGraph } from '../../src/contracts/graph/render-graph.js';
import { overlapArea, type Point, type Rect } from '../../src/contracts/graph/svg-geometry.js';
import { type Layout, layoutGraph, type PlacedNode } from '../../src/contracts/graph/svg-layout.js';
import { mermaidIds, toMermaid } from '../../src/contracts/graph/to-mermaid.js';
import { escapeXml, toSvg } from '../../src/contracts/graph/to-svg.js';
import { loadContracts } from '../../src/contracts/load-contracts.js';
import { type ContractProblem, parseContract } from '../../src/contracts/parse-contract.js';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleDerived } from '../../src/example/example-derived.js';

let example: readonly Contract[] = [];
let graph: DataFlowGraph;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-graph-'));
  writeExampleContracts(dir);
  example = (await loadContracts(dir)).contracts;
  graph = buildDataFlowGraph(example);
});

/** The example's config as `steward example generate` and the demo declare it, resolved. */
function exampleConfig(): ConfigDeclarations {
  const config = resolveConfig(
    {
      stores: { main: { kind: 'sqlite', file: 'x.sqlite' } },
      collections: Object.fromEntries(exampleCollectionNames.map((n) => [n, {}])),
      references: Object.fromEntries(
        caseManagementModel.references.map((r) => [`${r.collection}.${r.field}`, { target: r.target }]),
      ),
      derived: exampleDerived(),
    },
    { baseDir: '/tmp' },
  );
  return configDeclarations(config);
}

function parsed(definitions: readonly ContractDefinition[]): Contract[] {
  const problems: ContractProblem[] = [];
  const out = definitions.map((d) => parseContract(d, `${d.collection}.contract.json`, problems));
  assert.deepEqual(problems, []);
  return out as Contract[];
}

/** Names that need escaping everywhere, a writer, and a collection that references itself. */
const awkward = parsed([
  {
    collection: 'end',
    owner: 'tree <"svc"> & co',
    versions: [
      {
        version: 1,
        schema: { type: 'object', properties: { id: { type: 'string' }, parentId: { type: 'string' } } },
      },
    ],
    fields: { parentId: { references: 'end' } },
    consumers: { 'case-list': { reads: ['id'], writes: ['parentId'] }, case_list: { reads: ['parentId'] } },
  },
]);

const edge = (from: string, to: string, kind: string) =>
  graph.edges.find((e) => e.from === from && e.to === to && e.kind === kind);

describe('the graph model', () => {
  test('the example has 10 services, 9 collections and these edges per kind', () => {
    const kinds = (k: string) => graph.nodes.filter((n) => n.kind === k).length;
    assert.equal(kinds('service'), 10);
    assert.equal(kinds('collection'), 9);
    const perKind = Object.fromEntries(
      edgeKinds.map((k) => [k, graph.edges.filter((e) => e.kind === k).length]),
    );
    assert.deepEqual(perKind, { owns: 9, reads: 12, writes: 0, derives: 4, references: 8 });
  });

  test('edges carry their fields and labels', () => {
    assert.equal(edge('service:subject-registry', 'collection:subjects', 'owns')?.label, '');
    assert.equal(edge('collection:subjects', 'service:case-list-projector', 'reads')?.label, 'name');
    assert.deepEqual(edge('collection:tasks', 'collection:case_list', 'derives')?.fields, [
      'openTaskCount ← tasks.caseId',
      'overdueTaskCount ← tasks.caseId',
    ]);
    assert.equal(
      edge('collection:tasks', 'collection:case_list', 'derives')?.label,
      'openTaskCount ← tasks.caseId\noverdueTaskCount ← tasks.caseId',
    );
    assert.equal(edge('collection:cases', 'collection:officers', 'references')?.label, 'lead.officerId');
    assert.equal(
      edge('collection:officers', 'collection:cases', 'derives')?.label,
      'assignedOfficerName ← officers.name',
    );
    const reporting = edge('collection:cases', 'service:reporting', 'reads');
    assert.equal(reporting?.fields.length, 5);
    assert.equal(reporting?.label, 'status, priority, tenantId +2 more');
  });

  test('writes run from the service to the collection', () => {
    const g = buildDataFlowGraph(awkward);
    const writes = g.edges.filter((e) => e.kind === 'writes');
    assert.deepEqual(writes, [
      {
        from: 'service:case-list',
        to: 'collection:end',
        kind: 'writes',
        label: 'parentId',
        fields: ['parentId'],
        declaredIn: ['contract'],
      },
    ]);
  });

  test('the order of the contracts does not matter', () => {
    assert.deepEqual(buildDataFlowGraph([...example].reverse()), graph);
  });

  test('shortList keeps at least one item and counts the rest', () => {
    assert.equal(shortList(['a', 'b'], 10), 'a, b');
    assert.equal(shortList(['alpha', 'beta', 'gamma', 'delta'], 16), 'alpha +3 more');
    assert.equal(shortList(['a-very-long-field-name', 'b'], 5), 'a-very-long-field-name +1 more');
  });
});

/** A contract of `collection` owned by `owner`, whose schema has every field it names as a string. */
function contract(
  collection: string,
  owner: string,
  fields: ContractDefinition['fields'] = {},
  consumers: ContractDefinition['consumers'] = {},
): Contract {
  const names = [
    'id',
    ...Object.keys(fields ?? {}),
    ...Object.values(consumers ?? {}).flatMap((c) => [...(c.reads ?? []), ...(c.writes ?? [])]),
  ];
  const properties = Object.fromEntries(names.map((n) => [n, { type: 'string' }]));
  return parsed([
    {
      collection,
      owner,
      versions: [{ version: 1, schema: { type: 'object', properties } }],
      fields,
      consumers,
    },
  ])[0] as Contract;
}

const copyOf = (collection: string, field: string, via: string, source: string, sourceField: string) => ({
  collection,
  field,
  source: { collection: source, link: { by: 'via' as const, field: via } },
  transform: { type: 'copy' as const, field: sourceField },
  consumers: [],
});

const find = (g: DataFlowGraph, kind: string, from: string, to: string): GraphEdge | undefined =>
  g.edges.find((e) => e.kind === kind && e.from === `collection:${from}` && e.to === to);

describe('the graph model, from the config', () => {
  test("the example's config declares what its contracts do: the same map, each relation declared in both", () => {
    const both = buildDataFlowGraph(example, exampleConfig());
    const strip = (g: DataFlowGraph) => g.edges.map(({ declaredIn: _, ...rest }) => rest);
    assert.deepEqual(strip(both), strip(graph));
    assert.deepEqual(both.nodes, graph.nodes);
    for (const e of both.edges) {
      const fromConfig = e.kind === 'references' || e.kind === 'derives' || e.to === 'service:case-portal';
      assert.deepEqual(e.declaredIn, fromConfig ? ['config', 'contract'] : ['contract'], `${e.from} ${e.to}`);
    }
  });

  test('references, derived state and their readers declared only in the config are drawn', () => {
    const g = buildDataFlowGraph([], exampleConfig());
    const perKind = Object.fromEntries(edgeKinds.map((k) => [k, g.edges.filter((e) => e.kind === k).length]));
    // No contract, so no owners; case-portal and cases' readers come from the derived consumers.
    assert.deepEqual(perKind, { owns: 0, reads: 1, writes: 0, derives: 4, references: 8 });
    assert.equal(g.nodes.filter((n) => n.kind === 'collection').length, 9);
    assert.deepEqual(find(g, 'derives', 'tasks', 'collection:case_list')?.fields, [
      'openTaskCount ← tasks.caseId',
      'overdueTaskCount ← tasks.caseId',
    ]);
    assert.deepEqual(find(g, 'references', 'cases', 'collection:officers')?.declaredIn, ['config']);
    // The config's order: the derived declarations as the config lists them.
    assert.equal(find(g, 'reads', 'case_list', 'service:case-portal')?.label, 'openTaskCount +4 more');
  });

  test('collections named only in the config are nodes; a config relation joins a contract edge', () => {
    const orders = contract('orders', 'order-service', { productId: { references: 'products' } });
    const g = buildDataFlowGraph([orders], {
      collections: ['orders', 'products', 'audit'],
      references: [
        { collection: 'orders', field: 'warehouseId', target: 'products' },
        { collection: 'orders', field: 'productId', target: 'products' },
      ],
    });
    assert.deepEqual(
      g.nodes.map((n) => n.id),
      ['service:order-service', 'collection:audit', 'collection:orders', 'collection:products'],
    );
    const ref = find(g, 'references', 'orders', 'collection:products');
    assert.deepEqual(ref?.fields, ['productId', 'warehouseId']);
    assert.deepEqual(ref?.declaredIn, ['config', 'contract']);
    assert.equal(ref?.conflicts, undefined);
  });

  test('a reference the config and a contract point elsewhere is drawn twice, both marked', () => {
    const orders = contract('orders', 'order-service', {
      customerId: { references: 'products' },
      productId: { references: 'products' },
    });
    const g = buildDataFlowGraph([orders], {
      collections: ['orders', 'products', 'customers'],
      references: [{ collection: 'orders', field: 'customerId', target: 'customers' }],
    });
    const conflict = { field: 'orders.customerId', config: 'customers', contract: 'products' };
    const toCustomers = find(g, 'references', 'orders', 'collection:customers');
    const toProducts = find(g, 'references', 'orders', 'collection:products');
    assert.deepEqual(toCustomers?.conflicts, [conflict]);
    assert.deepEqual(toCustomers?.declaredIn, ['config']);
    assert.equal(toCustomers?.label, '⚠ customerId');
    assert.deepEqual(toProducts?.conflicts, [conflict]);
    assert.deepEqual(toProducts?.declaredIn, ['contract']);
    assert.deepEqual(toProducts?.fields, ['customerId', 'productId']);
    assert.equal(toProducts?.label, '⚠ customerId, productId');
  });

  test('derived state from another source collection, or another source field, is a conflict', () => {
    const orders = contract('orders', 'order-service', {
      productId: {},
      customerId: {},
      productName: { authority: 'projection', source: 'products.name', via: 'productId' },
      customerName: { authority: 'projection', source: 'customers.name', via: 'customerId' },
      region: { authority: 'projection', source: 'customers.region', via: 'customerId' },
    });
    const g = buildDataFlowGraph([orders], {
      derived: [
        copyOf('orders', 'productName', 'productId', 'products', 'title'),
        copyOf('orders', 'customerName', 'customerId', 'accounts', 'name'),
        // A function names no source field: the same collection is agreement.
        {
          ...copyOf('orders', 'region', 'customerId', 'customers', ''),
          transform: { type: 'function', fn: () => 1 },
        },
      ],
    });
    const products = find(g, 'derives', 'products', 'collection:orders');
    assert.deepEqual(products?.fields, ['productName ← products.name', 'productName ← products.title']);
    assert.equal(products?.label, '⚠ productName ← products.name\n⚠ productName ← products.title');
    assert.deepEqual(products?.conflicts, [
      { field: 'orders.productName', config: 'products.title', contract: 'products.name' },
    ]);
    const customers = find(g, 'derives', 'customers', 'collection:orders');
    assert.deepEqual(customers?.fields, ['customerName ← customers.name', 'region ← customers.region']);
    assert.deepEqual(customers?.declaredIn, ['config', 'contract']);
    assert.deepEqual(customers?.conflicts, [
      { field: 'orders.customerName', config: 'accounts.name', contract: 'customers.name' },
    ]);
    assert.equal(customers?.label, '⚠ customerName ← customers.name\nregion ← customers.region');
    assert.deepEqual(find(g, 'derives', 'accounts', 'collection:orders')?.conflicts, customers?.conflicts);
  });

  test('the same declarations give the same model, in the fixed order', () => {
    const config = exampleConfig();
    const a = buildDataFlowGraph([], config);
    const b = buildDataFlowGraph([], { ...config, collections: [...(config.collections ?? [])].reverse() });
    assert.deepEqual(a, b);
    const order = (e: GraphEdge) => [edgeKinds.indexOf(e.kind), e.from, e.to] as const;
    for (const [i, e] of a.edges.slice(1).entries()) {
      const [k0, f0, t0] = order(a.edges[i] as GraphEdge);
      const [k1, f1, t1] = order(e);
      assert.ok(k0 < k1 || (k0 === k1 && (f0 < f1 || (f0 === f1 && t0 < t1))), `${f1} → ${t1} in order`);
    }
  });
});

describe('Mermaid', () => {
  test('every node and every edge appears, with valid unique ids', () => {
    const text = toMermaid(graph);
    const ids = mermaidIds(graph.nodes);
    assert.equal(new Set(ids.values()).size, graph.nodes.length);
    for (const node of graph.nodes) {
      const id = ids.get(node.id) as string;
      assert.match(id, /^[A-Za-z][A-Za-z0-9_]*$/);
      assert.ok(text.includes(`  ${id}${node.kind === 'service' ? '(' : '[('}"${node.label}"`), node.id);
    }
    const edgeLines = text.split('\n').filter((l) => /-->|-\.->|==>/.test(l));
    assert.equal(edgeLines.length, graph.edges.length);
    graph.edges.forEach((e, i) => {
      const line = edgeLines[i] as string;
      assert.ok(line.startsWith(`  ${ids.get(e.from)} `) && line.endsWith(` ${ids.get(e.to)}`), line);
    });
    assert.ok(text.startsWith('flowchart LR\n'));
    assert.match(
      text,
      /c_tasks -\.->\|"openTaskCount ← tasks\.caseId<br\/>overdueTaskCount ← tasks\.caseId"\| c_case_list/,
    );
    assert.match(text, /c_cases ==>\|"lead\.officerId"\| c_officers/);
    assert.match(text, /s_subject_registry --> c_subjects\n/);
  });

  test('linkStyle lines cover every edge once', () => {
    const text = toMermaid(graph);
    const styled = [...text.matchAll(/linkStyle ([\d,]+) /g)].flatMap((m) =>
      (m[1] as string).split(',').map(Number),
    );
    assert.deepEqual(
      styled.sort((a, b) => a - b),
      graph.edges.map((_, i) => i),
    );
  });

  test('a conflict is orange and thick, its field flagged, and a comment says what each side declares', () => {
    const orders = contract('orders', 'order-service', { customerId: { references: 'products' } });
    const g = buildDataFlowGraph([orders, contract('products', 'catalog')], {
      collections: ['customers'],
      references: [{ collection: 'orders', field: 'customerId', target: 'customers' }],
    });
    const text = toMermaid(g);
    assert.match(text, /c_orders ==>\|"⚠ customerId"\| c_customers\n/);
    assert.match(text, /c_orders ==>\|"⚠ customerId"\| c_products\n/);
    const disputed = g.edges.flatMap((e, i) => (e.conflicts ? [i] : []));
    assert.equal(disputed.length, 2);
    assert.ok(
      text.includes(`  linkStyle ${disputed.join(',')} stroke:#ea580c,stroke-width:3px,color:#ea580c\n`),
    );
    assert.doesNotMatch(text, /linkStyle [\d,]+ stroke:#9333ea/, 'no plain reference is left');
    assert.equal(
      text.match(/%% conflict: orders\.customerId is customers in the config, products in a contract\n/g)
        ?.length,
      1,
    );
    assert.doesNotMatch(toMermaid(graph), /conflict|#ea580c/);
  });

  test('awkward names are escaped and ids stay unique', () => {
    const g = buildDataFlowGraph(awkward);
    const text = toMermaid(g);
    assert.match(text, /s_tree_svc_co\("tree #lt;#quot;svc#quot;#gt; #amp; co"\)/);
    assert.match(text, /s_case_list\("case-list"\)/);
    assert.match(text, /s_case_list_2\("case_list"\)/);
    assert.match(text, /c_end\[\("end"\)\]/);
  });
});

/**
 * A small XML well-formedness check: tags balance and nest, attributes are quoted, and text holds
 * no raw `<` or stray `&`. Enough to catch a renderer that forgets to escape or close something.
 */
function checkXml(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let i = 0;
  while (i < xml.length) {
    const open = xml.indexOf('<', i);
    const text = xml.slice(i, open === -1 ? xml.length : open);
    for (let k = text.indexOf('&'); k !== -1; k = text.indexOf('&', k + 1)) {
      const entity = text.slice(k, text.indexOf(';', k) + 1);
      if (!['&amp;', '&lt;', '&gt;', '&quot;', '&apos;'].includes(entity))
        problems.push(`stray & at ${i + k}`);
    }
    if (open === -1) break;
    let end = open + 1;
    let quote = '';
    while (end < xml.length && (quote !== '' || xml[end] !== '>')) {
      const c = xml[end] as string;
      if (quote === '' && (c === '"' || c === "'")) quote = c;
      else if (c === quote) quote = '';
      else if (quote === '' && c === '<') problems.push(`"<" inside a tag at ${end}`);
      end++;
    }
    const tag = xml.slice(open + 1, end);
    const name = tag.replace(/^\//, '').split(/[\s/]/)[0] as string;
    if (tag.startsWith('/')) {
      const top = stack.pop();
      if (top !== name) problems.push(`</${name}> closes <${top}>`);
    } else if (!tag.endsWith('/')) stack.push(name);
    i = end + 1;
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

/** The segments of every edge's polyline. */
function segments(points: readonly Point[]): [Point, Point][] {
  return points.slice(1).map((p, i) => [points[i] as Point, p]);
}

/**
 * Whether the segment runs through the inside of the rectangle, shrunk by `inset` so touching
 * its border does not count (Liang-Barsky clipping).
 */
function crosses([a, b]: [Point, Point], r: Rect, inset = 1): boolean {
  const [x0, x1, y0, y1] = [r.x + inset, r.x + r.width - inset, r.y + inset, r.y + r.height - inset];
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [p, q] of [
    [-dx, a.x - x0],
    [dx, x1 - a.x],
    [-dy, a.y - y0],
    [dy, y1 - a.y],
  ] as const) {
    if (p === 0) {
      if (q <= 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  return t0 < t1;
}

/** Two segments lie on one line and share a stretch longer than a point: drawn on top of each other. */
function overlaps([a, b]: [Point, Point], [c, d]: [Point, Point]): boolean {
  const horizontal = a.y === b.y && c.y === d.y && a.y === c.y;
  const vertical = a.x === b.x && c.x === d.x && a.x === c.x;
  const span = (u: number, v: number, w: number, z: number) =>
    Math.min(Math.max(u, v), Math.max(w, z)) - Math.max(Math.min(u, v), Math.min(w, z));
  if (horizontal) return span(a.x, b.x, c.x, d.x) > 0.5;
  if (vertical) return span(a.y, b.y, c.y, d.y) > 0.5;
  return false;
}

/**
 * What the issue found misleading in the hand-drawn layout, checked on a laid-out map: edges
 * running through nodes that are not their ends, label boxes over other edges or over nodes or
 * labels, a label away from its own edge, and edges between the same two nodes on top of each
 * other; also that everything fits the canvas. Each finding is a sentence, so a failure says where.
 */
function layoutProblems(layout: Layout): string[] {
  const out: string[] = [];
  const name = (e: GraphEdge) => `${e.kind} ${e.from} → ${e.to}`;
  for (const { edge, points } of layout.edges) {
    if (points.length < 2) out.push(`${name(edge)} has no route`);
    for (const node of layout.nodes) {
      if (node.node.id === edge.from || node.node.id === edge.to) continue;
      if (segments(points).some((s) => crosses(s, node)))
        out.push(`${name(edge)} runs through ${node.node.label}`);
    }
  }
  for (const [i, { edge, points, label }] of layout.edges.entries()) {
    if (!label) continue;
    // Beside its edge (ELK keeps 4px between them) or on it.
    const near = { x: label.x - 6, y: label.y - 6, width: label.width + 12, height: label.height + 12 };
    if (!segments(points).some((s) => crosses(s, near, 0)))
      out.push(`the label of ${name(edge)} is off its edge`);
    for (const other of layout.edges) {
      if (other.edge !== edge && segments(other.points).some((s) => crosses(s, label)))
        out.push(`the label of ${name(edge)} covers ${name(other.edge)}`);
    }
    for (const node of layout.nodes)
      if (overlapArea(label, node) > 0) out.push(`the label of ${name(edge)} covers ${node.node.label}`);
    for (const other of layout.edges.slice(i + 1))
      if (other.label && overlapArea(label, other.label) > 0)
        out.push(`the label of ${name(edge)} covers the label of ${name(other.edge)}`);
  }
  for (const [i, a] of layout.edges.entries()) {
    for (const b of layout.edges.slice(i + 1)) {
      const samePair = new Set([a.edge.from, a.edge.to, b.edge.from, b.edge.to]).size <= 2;
      if (!samePair) continue;
      if (segments(a.points).some((s) => segments(b.points).some((t) => overlaps(s, t))))
        out.push(`${name(a.edge)} is drawn on top of ${name(b.edge)}`);
    }
  }
  for (const [i, a] of layout.nodes.entries()) {
    for (const b of layout.nodes.slice(i + 1))
      if (overlapArea(a, b) > 0) out.push(`${a.node.label} covers ${b.node.label}`);
  }
  const boxes = [...layout.nodes, ...layout.edges.flatMap((e) => (e.label ? [e.label] : []))];
  const points = layout.edges.flatMap((e) => e.points);
  for (const b of [...boxes, ...points.map((p) => ({ ...p, width: 0, height: 0 }))]) {
    if (b.x < 0 || b.y < 0 || b.x + b.width > layout.width || b.y + b.height > layout.height)
      out.push(`something at ${b.x},${b.y} lies outside the drawing`);
  }
  return out;
}

/**
 * Orders with a reference the config and its contract disagree on, derived state and references
 * both ways between two collections, a self-reference, a collection with no edge.
 */
const shop = () => {
  const orders = contract(
    'orders',
    'order-service',
    {
      customerId: { references: 'products' },
      productId: { references: 'products' },
      parentId: { references: 'orders' },
      total: { authority: 'derived', source: 'products.price', via: 'productId' },
    },
    { storefront: { reads: ['total'], writes: ['note'] } },
  );
  // Derived state and references both ways between orders and products.
  const products = contract('products', 'catalog', {
    orderCount: { authority: 'aggregate', source: 'orders.productId' },
    lastOrderId: { references: 'orders' },
  });
  return buildDataFlowGraph([orders, products], {
    collections: ['orders', 'products', 'customers', 'audit'],
    references: [{ collection: 'orders', field: 'customerId', target: 'customers' }],
    derived: [
      {
        ...copyOf('orders', 'productName', 'productId', 'products', 'name'),
        consumers: [{ service: 'storefront' }],
      },
      {
        collection: 'customers',
        field: 'orderCount',
        source: { collection: 'orders', link: { by: 'key', field: 'customerId' } },
        transform: { type: 'count' },
        consumers: [],
      },
    ],
  });
};

describe('SVG', () => {
  test('is well-formed and names every node', async () => {
    const svg = await toSvg(graph);
    assert.deepEqual(checkXml(svg), []);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    for (const node of graph.nodes) assert.ok(svg.includes(`>${escapeXml(node.label)}</text>`), node.label);
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  });

  test('escapes awkward names and draws writes and self-references', async () => {
    const svg = await toSvg(buildDataFlowGraph(awkward));
    assert.deepEqual(checkXml(svg), []);
    assert.ok(svg.includes('>tree &lt;&quot;svc&quot;&gt; &amp; co</text>'));
    assert.ok(svg.includes('marker-end="url(#arrow-writes)"'));
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    assert.deepEqual(checkXml(await toSvg(buildDataFlowGraph([]))), []);
  });

  test('the checker itself catches what it should', () => {
    assert.notDeepEqual(checkXml('<a><b></a>'), []);
    assert.notDeepEqual(checkXml('<a>x & y</a>'), []);
    assert.notDeepEqual(checkXml('<a>'), []);
  });

  test('on the example, no edge runs through a node, no label covers an edge, a node or a label', async () => {
    const layout = await layoutGraph(graph);
    assert.equal(
      layout.edges.filter((e) => e.label).length,
      graph.edges.filter((e) => e.label !== '').length,
    );
    assert.deepEqual(layoutProblems(layout), []);
  });

  test('with conflicts, edges both ways between two collections and a self-reference, the same holds', async () => {
    const g = shop();
    const layout = await layoutGraph(g);
    assert.deepEqual(layoutProblems(layout), []);
    // Derived state and references both ways between orders and products: four routes, not two.
    const between = layout.edges.filter(
      (e) => e.edge.from !== e.edge.to && [e.edge.from, e.edge.to].every((id) => /orders|products/.test(id)),
    );
    assert.equal(between.length, 4);
    assert.equal(new Set(between.map((e) => JSON.stringify(e.points))).size, 4);
    const self = layout.edges.find((e) => e.edge.from === e.edge.to);
    assert.ok(self && self.points.length >= 4, 'the self-reference is a loop');
  });

  test('the layout checks catch what they should', async () => {
    const layout = await layoutGraph(shop());
    const ends = [layout.edges[0]?.edge.from, layout.edges[0]?.edge.to];
    const other = layout.nodes.find((n) => !ends.includes(n.node.id)) as Rect;
    const last = layout.nodes.at(-1) as PlacedNode;
    const edges = layout.edges.map((e, i) => {
      const y = other.y + other.height / 2;
      // A straight line across a node that is not its end, a label far from its edge, a label on a node.
      if (i === 0)
        return {
          ...e,
          points: [
            { x: 0, y },
            { x: layout.width, y },
          ],
        };
      if (i === 1) return { ...e, label: { x: 0, y: 0, width: 8, height: 8, lines: ['x'] } };
      if (i === 2) return { ...e, label: { ...last, lines: ['x'] } };
      return e;
    });
    const problems = layoutProblems({ ...layout, edges }).join('\n');
    assert.match(problems, /runs through/);
    assert.match(problems, /is off its edge/);
    assert.match(problems, new RegExp(`covers ${last.node.label}`));
    // The derived arc from products to orders laid over the reference from orders to products.
    const reference = layout.edges.find(
      (e) => e.edge.kind === 'references' && e.edge.to === 'collection:products',
    );
    const stacked = layout.edges.map((e) =>
      e.edge.kind === 'derives' && e.edge.from === 'collection:products'
        ? { ...e, points: [...(reference?.points ?? [])].reverse() }
        : e,
    );
    assert.match(layoutProblems({ ...layout, edges: stacked }).join('\n'), /drawn on top of/);
  });

  test('a conflict is marked in the SVG: a halo under both edges, the field flagged, a legend entry', async () => {
    const svg = await toSvg(shop());
    assert.deepEqual(checkXml(svg), []);
    assert.equal(svg.match(/stroke="#ea580c" stroke-opacity="0.35" stroke-width="9"/g)?.length, 3);
    assert.ok(svg.includes('>⚠ customerId</tspan>'));
    assert.ok(svg.includes('⚠ conflict: the config and a contract disagree; both are drawn'));
    assert.ok(svg.includes('⚠ orders.customerId: the config says customers, a contract says products'));
    assert.doesNotMatch(await toSvg(graph), /conflict/);
  });

  test('the same declarations give the same bytes, also rendered twice', async () => {
    const again = buildDataFlowGraph([...example].reverse());
    const first = await toSvg(graph);
    assert.equal(await toSvg(again), first);
    assert.equal(await toSvg(graph), first);
    assert.equal(toMermaid(again), toMermaid(graph));
    assert.equal(await toSvg(shop()), await toSvg(shop()));
  });

  test('coordinates are rounded to a tenth', async () => {
    const svg = await toSvg(graph);
    const coordinates = svg.match(/ (?:d|x|y|width|height)="[^"]*"/g) ?? [];
    const numbers = coordinates.join(' ').match(/-?\d+\.\d+/g) ?? [];
    assert.ok(numbers.length > 0);
    for (const n of numbers) assert.match(n, /^-?\d+\.\d$/, n);
  });
});

describe('formats', () => {
  test('file extensions pick the format', () => {
    assert.equal(formatForFile('map.svg'), 'svg');
    assert.equal(formatForFile('docs/map.MD'), 'markdown');
    assert.equal(formatForFile('map.mmd'), 'mermaid');
    assert.equal(formatForFile('map.json'), 'json');
    assert.equal(formatForFile('map.txt'), undefined);
    assert.equal(formatForFile('map'), undefined);
  });

  test('markdown is the Mermaid text in a fenced block; json is the model', async () => {
    assert.equal(await renderGraph(graph, 'markdown'), mermaidBlock(toMermaid(graph)));
    assert.match(await renderGraph(graph, 'markdown'), /\n```mermaid\nflowchart LR\n[\s\S]*\n```\n$/);
    assert.deepEqual(JSON.parse(await renderGraph(graph, 'json')), graph);
  });
});

describe('docs/data-flow-map.md', () => {
  test("embeds the example's map exactly as steward draws it", () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/data-flow-map.md'), 'utf8');
    const block = /```mermaid\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.equal(
      block,
      toMermaid(graph),
      'regenerate the block with: steward graph --dir <example contracts>',
    );
  });
});
