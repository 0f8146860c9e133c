import { formatCount } from '../../core/format-count.js';
import { linkLabel, type RefreshMechanism, type ResolvedDerived } from '../derived.js';

/** One derived state fed by a source collection, as the amplification report lists it. */
export interface FedState {
  readonly derived: string;
  readonly collection: string;
  readonly refresh: RefreshMechanism;
  /** `via <field>` (one derived document per source document), `key <field>` (the aggregate's) or `self`. */
  readonly link: string;
}

/**
 * Seed 001 section 13's write amplification of one source collection: the physical writes one
 * logical write of a source document causes, counted from the declarations.
 */
export interface SourceAmplification {
  readonly source: string;
  /** 1 (the source write itself) + the distinct derived documents refreshed per write. */
  readonly factor: number;
  /** The part of `factor` inside the write itself: the source write + synchronous derived documents. */
  readonly synchronousFactor: number;
  /** Derived values refreshed per write (fields; two fields of one document count twice). */
  readonly derivedWrites: number;
  /** Distinct derived documents refreshed per write: fields of one document linked the same way share one. */
  readonly derivedDocuments: number;
  /** Derived collections touched per write. */
  readonly collections: readonly string[];
  /** The derived states refreshed on every write (synchronous or asynchronous). */
  readonly perWrite: readonly FedState[];
  /** The derived states fed but refreshed in batches (scheduled or manual): no write per source write. */
  readonly batched: readonly FedState[];
}

/**
 * The write amplification factor per source collection (section 13: "number of physical writes
 * caused by one logical command"), from the declarations alone, highest first.
 *
 * A derived document is identified by its collection and its link: every field of `case_list`
 * whose source document is found through `via subjectId` lives in the same `case_list` document,
 * and every aggregate over `tasks` keyed by `caseId` lands in the one document of that case. So
 * two fields refreshed together cost one document write, which is how a pipeline that writes
 * a document's fields in one patch does it. What the declarations cannot say: a `via` copy fans
 * out to every derived document pointing at the same source document (many cases, one officer),
 * and a write that changes an aggregate's key field moves the document between two keys, touching
 * both: the factor is what an ordinary write costs, a lower bound for those.
 */
export function writeAmplification(declarations: Iterable<ResolvedDerived>): SourceAmplification[] {
  const bySource = new Map<string, ResolvedDerived[]>();
  for (const d of declarations) {
    const list = bySource.get(d.source.collection) ?? [];
    list.push(d);
    bySource.set(d.source.collection, list);
  }
  return [...bySource.entries()]
    .map(([source, fed]) => amplificationOf(source, fed))
    .sort((a, b) => b.factor - a.factor || a.source.localeCompare(b.source));
}

function amplificationOf(source: string, fed: readonly ResolvedDerived[]): SourceAmplification {
  const perWrite = fed.filter((d) => d.refresh === 'synchronous' || d.refresh === 'asynchronous');
  const documents = distinctDocuments(perWrite);
  const synchronous = distinctDocuments(perWrite.filter((d) => d.refresh === 'synchronous'));
  return {
    source,
    factor: 1 + documents,
    synchronousFactor: 1 + synchronous,
    derivedWrites: perWrite.length,
    derivedDocuments: documents,
    collections: [...new Set(perWrite.map((d) => d.collection))].sort(),
    perWrite: perWrite.map(describe),
    batched: fed.filter((d) => !perWrite.includes(d)).map(describe),
  };
}

/**
 * Derived documents written besides the source document. A value computed from its own document
 * (`self`) is written with that document, in the same write: it adds none.
 */
function distinctDocuments(states: readonly ResolvedDerived[]): number {
  return new Set(
    states
      .filter((d) => d.source.link.by !== 'self')
      .map((d) => `${d.collection}\u0000${linkLabel(d.source.link)}`),
  ).size;
}

function describe(d: ResolvedDerived): FedState {
  return {
    derived: d.name,
    collection: d.collection,
    refresh: d.refresh,
    link: linkLabel(d.source.link),
  };
}

/** The report as lines for a terminal. */
export function renderAmplification(report: readonly SourceAmplification[]): string[] {
  return report.flatMap((a) => [
    `${a.source}  factor ${a.factor} (synchronous ${a.synchronousFactor}): one write refreshes ` +
      `${formatCount(a.derivedWrites)} derived value(s) in ${formatCount(a.derivedDocuments)} document(s) of ${a.collections.join(', ') || 'no collection'}`,
    ...a.perWrite.map((s) => `  ${s.derived}  ${s.refresh}, ${s.link}`),
    ...a.batched.map((s) => `  ${s.derived}  ${s.refresh}, ${s.link} (not refreshed per write)`),
  ]);
}
