import type { EdgeKind } from './data-flow-graph.js';

/** How an edge kind is drawn, shared by the Mermaid and SVG renderers so their legends agree. */
export interface EdgeStyle {
  readonly color: string;
  readonly width: number;
  /** SVG `stroke-dasharray`, when the line is not solid. */
  readonly dash?: string;
  /** The legend's wording. */
  readonly meaning: string;
}

export const edgeStyles: Readonly<Record<EdgeKind, EdgeStyle>> = {
  owns: { color: '#475569', width: 1.6, meaning: 'owns: the service is the one writer of the collection' },
  reads: { color: '#2563eb', width: 1.4, meaning: 'reads: the collection feeds the service these fields' },
  writes: { color: '#dc2626', width: 1.8, meaning: 'writes: the service writes these fields too' },
  derives: {
    color: '#15803d',
    width: 1.6,
    dash: '6 4',
    meaning: 'derives: a field here is copied or computed from there',
  },
  references: {
    color: '#9333ea',
    width: 2.2,
    meaning: 'references: a field holds keys of the target collection',
  },
};

/**
 * How an edge the config and a contract disagree on is marked, on top of its kind's style: an
 * orange halo in the SVG, an orange thick line in Mermaid, and `⚠` before the disputed field.
 */
export const conflictStyle = {
  color: '#ea580c',
  meaning: '⚠ conflict: the config and a contract disagree; both are drawn',
} as const;
