import { formatCount } from '../../core/format-count.js';
import type { ScanFigures } from '../scan/scan-figures.js';
import type { BreakerSettings } from './breaker-settings.js';

/** One scan of a reference summed over its segments: documents scanned and orphans found. */
export interface ScanTotals {
  readonly scanned: number;
  readonly orphans: number;
  /** When its last segment completed. */
  readonly completedAt: string;
  readonly segments: number;
}

/**
 * Whether a repair of a reference looks like a mistake. A typo in a reference's `target`, or a
 * MongoDB collection keyed by the default `_id` while references hold another field, makes every
 * reference an orphan, and a repair would then null, tombstone or delete all of them. So repair
 * first compares what it is about to act on with what the scans saw:
 * - `rate`: open orphans (and missing required references) over the documents the latest scan
 *   read; above `maxOrphanRate` trips;
 * - `jump`: the latest scan's orphan rate more than `maxJump` times the previous scan's, and up by
 *   at least `minJumpRise`, trips: something broke wholesale even if the rate is still low.
 * Neither trips below `minOrphans` open orphans.
 */
export interface BreakerVerdict {
  readonly reference: string;
  readonly tripped: boolean;
  /** Open orphan and missing-required incidents: what the repair would act on. */
  readonly open: number;
  /** The documents the rate is over: from the latest scan, or an estimated count of the source. */
  readonly documents?: number;
  readonly basis?: 'scan' | 'count';
  readonly rate?: number;
  readonly latest?: ScanTotals;
  readonly previous?: ScanTotals;
  /** Why it tripped, with the figures, one sentence each. */
  readonly reasons: readonly string[];
  readonly settings: BreakerSettings;
}

/**
 * The latest and the previous scan of a reference from its recorded figures: the segmentation of
 * the most recent record, and for each segment of it its newest (and second newest) figures. Pure.
 */
export function scanTotals(figures: readonly ScanFigures[]): { latest?: ScanTotals; previous?: ScanTotals } {
  const newest = [...figures].sort((a, b) => b.completedAt.localeCompare(a.completedAt));
  const total = newest[0]?.segment.total;
  if (total === undefined) return {};
  const bySegment = new Map<number, ScanFigures[]>();
  for (const f of newest)
    if (f.segment.total === total)
      bySegment.set(f.segment.index, [...(bySegment.get(f.segment.index) ?? []), f]);
  const pick = (n: number) => [...bySegment.values()].flatMap((list) => (list[n] ? [list[n]] : []));
  const latest = sum(pick(0));
  const previousParts = pick(1);
  // A previous scan counts only when every segment of the latest one has one.
  const previous = previousParts.length === bySegment.size ? sum(previousParts) : undefined;
  return { ...(latest ? { latest } : {}), ...(previous ? { previous } : {}) };
}

function sum(parts: readonly ScanFigures[]): ScanTotals | undefined {
  if (parts.length === 0) return undefined;
  return {
    scanned: parts.reduce((n, p) => n + p.scanned, 0),
    orphans: parts.reduce((n, p) => n + p.orphans, 0),
    completedAt: parts
      .map((p) => p.completedAt)
      .sort()
      .at(-1)!,
    segments: parts.length,
  };
}

/** The breaker's verdict from the figures. Pure. `counted` stands in when no scan is recorded. */
export function breakerVerdict(input: {
  readonly reference: string;
  readonly open: number;
  readonly latest?: ScanTotals;
  readonly previous?: ScanTotals;
  readonly counted?: number;
  readonly settings: BreakerSettings;
}): BreakerVerdict {
  const { reference, open, latest, previous, settings } = input;
  const base = {
    reference,
    open,
    settings,
    ...(latest ? { latest } : {}),
    ...(previous ? { previous } : {}),
  };
  const documents = latest?.scanned ?? input.counted;
  if (open < settings.minOrphans || documents === undefined) return { ...base, tripped: false, reasons: [] };
  const basis = latest ? ('scan' as const) : ('count' as const);
  const rate = documents > 0 ? open / documents : 1;
  const reasons: string[] = [];
  if (rate > settings.maxOrphanRate) {
    const of = basis === 'scan' ? 'documents scanned' : 'documents (estimated count: no scan recorded)';
    reasons.push(
      `${count(open)} open orphans of ${count(documents)} ${of} is ${percent(rate)}, above the breaker's ` +
        `${percent(settings.maxOrphanRate)} (maxOrphanRate)`,
    );
  }
  const jump = latest && previous ? jumpReason(latest, previous, settings) : undefined;
  if (jump) reasons.push(jump);
  return { ...base, documents, basis, rate, tripped: reasons.length > 0, reasons };
}

function jumpReason(latest: ScanTotals, previous: ScanTotals, settings: BreakerSettings): string | undefined {
  const now = latest.scanned > 0 ? latest.orphans / latest.scanned : 0;
  const before = previous.scanned > 0 ? previous.orphans / previous.scanned : 0;
  if (latest.orphans < settings.minOrphans) return undefined;
  if (!(now > settings.maxJump * before && now - before >= settings.minJumpRise)) return undefined;
  return (
    `the orphan rate jumped from ${percent(before)} (${count(previous.orphans)} of ${count(previous.scanned)}, ` +
    `scan of ${previous.completedAt}) to ${percent(now)} (${count(latest.orphans)} of ${count(latest.scanned)}, ` +
    `scan of ${latest.completedAt}): more than ${settings.maxJump}x (maxJump) and up at least ` +
    `${percent(settings.minJumpRise)} (minJumpRise)`
  );
}

const percent = (r: number) => `${(r * 100).toFixed(r < 0.001 && r > 0 ? 3 : 1)}%`;
const count = formatCount;
