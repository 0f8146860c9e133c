/** The data-flow map: the graph model on the example, its Mermaid and SVG renderings, the docs. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Contract, ContractDefinition } from '../../src/contracts/contract.js';
import {
  buildDataFlowGraph,
  type DataFlowGraph,
  edgeKinds,
  shortList,
} from '../../src/contracts/graph/data-flow-graph.js';
import { formatForFile, mermaidBlock, renderGraph } from '../../src/contracts/graph/render-graph.js';
import { overlapArea } from '../../src/contracts/graph/svg-geometry.js';
import { layoutGraph } from '../../src/contracts/graph/svg-layout.js';
import { mermaidIds, toMermaid } from '../../src/contracts/graph/to-mermaid.js';
import { escapeXml, toSvg } from '../../src/contracts/graph/to-svg.js';
import { loadContracts } from '../../src/contracts/load-contracts.js';
import { type ContractProblem, parseContract } from '../../src/contracts/parse-contract.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';

let example: readonly Contract[] = [];
let graph: DataFlowGraph;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-graph-'));
  writeExampleContracts(dir);
  example = (await loadContracts(dir)).contracts;
  graph = buildDataFlowGraph(example);
});

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

describe('SVG', () => {
  test('is well-formed and names every node', () => {
    const svg = toSvg(graph);
    assert.deepEqual(checkXml(svg), []);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    for (const node of graph.nodes) assert.ok(svg.includes(`>${escapeXml(node.label)}</text>`), node.label);
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  });

  test('escapes awkward names and draws writes and self-references', () => {
    const svg = toSvg(buildDataFlowGraph(awkward));
    assert.deepEqual(checkXml(svg), []);
    assert.ok(svg.includes('>tree &lt;&quot;svc&quot;&gt; &amp; co</text>'));
    assert.ok(svg.includes('marker-end="url(#arrow-writes)"'));
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    assert.deepEqual(checkXml(toSvg(buildDataFlowGraph([]))), []);
  });

  test('the checker itself catches what it should', () => {
    assert.notDeepEqual(checkXml('<a><b></a>'), []);
    assert.notDeepEqual(checkXml('<a>x & y</a>'), []);
    assert.notDeepEqual(checkXml('<a>'), []);
  });

  test('on the example, no label overlaps a node or another label, and all fits the canvas', () => {
    const layout = layoutGraph(graph);
    const labels = layout.edges.flatMap((e) => (e.label ? [e.label] : []));
    assert.equal(labels.length, graph.edges.filter((e) => e.label !== '').length);
    for (const [i, a] of labels.entries()) {
      for (const node of layout.nodes)
        assert.equal(overlapArea(a, node), 0, `${a.lines[0]} on ${node.node.label}`);
      for (const b of labels.slice(i + 1))
        assert.equal(overlapArea(a, b), 0, `${a.lines[0]} on ${b.lines[0]}`);
    }
    for (const box of [...labels, ...layout.nodes]) {
      assert.ok(box.x >= 0 && box.y >= 0, 'inside the canvas');
      assert.ok(
        box.x + box.width <= layout.width && box.y + box.height <= layout.legendTop,
        'inside the canvas',
      );
    }
    for (const [i, a] of layout.nodes.entries()) {
      for (const b of layout.nodes.slice(i + 1))
        assert.equal(overlapArea(a, b), 0, `${a.node.label} on ${b.node.label}`);
    }
  });

  test('the same contracts give the same bytes', () => {
    const again = buildDataFlowGraph([...example].reverse());
    assert.equal(toSvg(again), toSvg(graph));
    assert.equal(toMermaid(again), toMermaid(graph));
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

  test('markdown is the Mermaid text in a fenced block; json is the model', () => {
    assert.equal(renderGraph(graph, 'markdown'), mermaidBlock(toMermaid(graph)));
    assert.match(renderGraph(graph, 'markdown'), /\n```mermaid\nflowchart LR\n[\s\S]*\n```\n$/);
    assert.deepEqual(JSON.parse(renderGraph(graph, 'json')), graph);
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
