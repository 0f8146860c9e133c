import { type EdgeKind, edgeKinds } from './data-flow-graph.js';
import { conflictStyle, edgeStyles } from './edge-styles.js';
import { fontSize, textWidth } from './svg-geometry.js';

/** One entry of the legend: a sample shape or line, then its meaning. */
export interface LegendItem {
  readonly kind: 'service' | 'collection' | EdgeKind | 'conflict';
  readonly text: string;
  /** Left edge of the sample. */
  readonly x: number;
}

export const legendRowHeight = 24;

/**
 * The legend's entries, the node shapes, the edge kinds the map has and the conflict mark when it
 * has one, flowed into rows that fit the drawing's width.
 */
export function legendRows(width: number, kinds: readonly EdgeKind[], conflicts: boolean): LegendItem[][] {
  const entries: Omit<LegendItem, 'x'>[] = [
    { kind: 'service', text: 'service' },
    { kind: 'collection', text: 'collection' },
    ...edgeKinds.filter((k) => kinds.includes(k)).map((kind) => ({ kind, text: edgeStyles[kind].meaning })),
    ...(conflicts ? [{ kind: 'conflict' as const, text: conflictStyle.meaning }] : []),
  ];
  const rows: LegendItem[][] = [[]];
  let x = 24;
  for (const entry of entries) {
    const size = 46 + textWidth(entry.text, fontSize.legend) + 28;
    const row = rows[rows.length - 1] as LegendItem[];
    if (row.length > 0 && x + size > width - 24) {
      rows.push([]);
      x = 24;
    }
    (rows[rows.length - 1] as LegendItem[]).push({ ...entry, x });
    x += size;
  }
  return rows;
}
