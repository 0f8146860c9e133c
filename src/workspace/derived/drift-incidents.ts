import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type DriftIncidentPage, listDriftIncidents } from '../../derived/drift-incidents.js';
import type { DriftIncidentKind } from '../../derived/reverify-drift.js';
import type { IncidentStatus } from '../../ledger/incidents.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withWorkspace } from '../workspace.js';
import { selectDerived } from './select-derived.js';

/** Which drift incidents to list, and which page of them. */
export interface DriftIncidentsInput {
  /** Names of declared derived states; default every declared one. */
  readonly derived?: readonly string[];
  /** Default `open`; `all` lists both. */
  readonly status?: IncidentStatus | 'all';
  /** `drift` or `snapshot-missing`; default both. */
  readonly kind?: DriftIncidentKind;
  /** Only incidents first seen longer ago than this, in milliseconds. */
  readonly olderThanMs?: number;
  /** Only incidents first seen within this, in milliseconds. */
  readonly newerThanMs?: number;
  /** Incidents per page. Default 100. */
  readonly limit?: number;
  /** Where the previous page stopped: its `next`. */
  readonly cursor?: string;
  /** What the age filters count from, ISO 8601. Default now. */
  readonly now?: string;
}

/**
 * One page of the drift incidents drift checks recorded (drifted values and missing snapshots) of
 * the named derived states, filtered in the ledger's store. `next` is the cursor of the following
 * page, null when this page holds the last match. Reads only.
 */
export function driftIncidents(
  config: ResolvedConfig,
  input: DriftIncidentsInput = {},
  options: RunOptions = {},
): Promise<DriftIncidentPage> {
  const derived = selectDerived(input.derived ?? [], config).map((d) => d.name);
  const { derived: _names, limit, now, ...filters } = input;
  const query = { ...filters, derived, limit: limit ?? 100, now: now ?? new Date().toISOString() };
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) =>
    listDriftIncidents(await ledger.openCollection('incidents'), query),
  );
}
