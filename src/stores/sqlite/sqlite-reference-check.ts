import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { type JsonObject, type JsonValue, setField } from '../../core/json.js';
import { checkSegment } from '../segment.js';
import { type CollectionSpec, keyFromId, type ReferenceCheck, type ReferenceCheckPage } from '../store.js';
import { referenceCheckSql } from './reference-check-sql.js';

/** A step name a JSON path can quote as `$."step"`: no quote, backslash or control character. */
function plainStep(step: string): boolean {
  return /^[^"\\]+$/.test(step) && [...step].every((c) => c >= ' ');
}

/**
 * The reference check of a source table against a target table of the same database, as one
 * statement per page (see `reference-check-sql.ts`); undefined for a path it cannot quote. The
 * statement is prepared on first use and kept, per segmented or not.
 */
export function sqliteReferenceCheck(
  db: Database.Database,
  tables: { readonly source: string; readonly target: string; readonly targetIndexedBy: string },
  spec: CollectionSpec,
  path: string,
  guard: <T>(run: () => T) => T,
): ReferenceCheck | undefined {
  const steps = path.split('.');
  // A reference on the key field itself is left to the scan, which reads the key as it stands.
  if (steps[0] === spec.keyField || !steps.every(plainStep)) return undefined;
  const params: Record<string, string> = { full: `$${steps.map((s) => `."${s}"`).join('')}` };
  steps.forEach((step, i) => {
    params[`p${i}`] = `$."${step}"`;
  });
  const statements = new Map<boolean, Record<'end' | 'check' | 'checkRest', Database.Statement>>();
  const prepared = (segmented: boolean) => {
    let pair = statements.get(segmented);
    if (!pair) {
      const sql = referenceCheckSql(tables, steps.length, segmented);
      pair = guard(() => ({
        end: db.prepare(sql.end).pluck(),
        check: db.prepare(sql.check).raw(true),
        checkRest: db.prepare(sql.checkRest).raw(true),
      }));
      statements.set(segmented, pair);
    }
    return pair;
  };
  const top = steps[0]!;
  return {
    async page(options) {
      const limit = options.limit ?? 500;
      const segment = checkSegment(options.segment, spec.name);
      const bound: Record<string, unknown> = {
        ...params,
        after: options.after ?? '',
        ...(segment ? { segments: segment.total, segment: segment.index } : {}),
      };
      const { end, check, checkRest } = prepared(segment !== undefined);
      const page = guard(() => {
        const until = (end.get({ ...bound, limit }) as string | undefined) ?? null;
        const row = until === null ? checkRest.get(bound) : check.get({ ...bound, until });
        return pageOf(row as CheckRow, spec.keyField, top, until);
      });
      // As `scan`: the read first, then the event loop's turn (see `SqliteCollection.scan`).
      await nextTurn();
      return page;
    },
  };
}

/** The check's one row: the page's size, its last key and its unresolved documents. */
type CheckRow = [number, string | null, string];

/**
 * The page the check's row describes. A full page (`until` found) continues after its last key,
 * as `scan` does; a short one is the last.
 */
function pageOf(row: CheckRow, keyField: string, top: string, until: string | null): ReferenceCheckPage {
  const [scanned, , unresolvedJson] = row;
  const unresolved = (JSON.parse(unresolvedJson) as [string, string | null][]).map(([k, text]) => {
    const doc: JsonObject = { [keyField]: keyFromId(k) };
    // SQLite made this text from stored JSON it parsed, so it is JSON.
    if (text !== null) setField(doc, top, JSON.parse(text) as JsonValue);
    return doc;
  });
  return { scanned, unresolved, next: until };
}
