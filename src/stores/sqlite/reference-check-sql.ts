/**
 * The SQL of a reference check pushed down into SQLite (see `Collection.referenceCheck`): per page
 * of the source, only what the scan must classify itself leaves SQLite.
 *
 * It reads one page of the source by key (`k > @after ORDER BY k LIMIT @limit`, and the segment
 * as `scan` takes it) and marks each document resolved when the path leads to at least one value
 * and every value is a key the target holds as written: a string (`'s:' || value` is its `k`) or
 * a safe integer (`'n:' || value`). Arrays are walked as `readReferenceAt` walks them: an array
 * part-way along the path is taken element by element, objects stepped into, anything else dropped;
 * an array at the end holds one value per element. A document with an array inside an array
 * part-way (which `readReferenceAt` flattens) is left unresolved, as is every value of another
 * kind (null inside an array, a real, an ObjectId, an object): the scan then decides, so a
 * document this marks resolved is one the scan's own path would find `ok`, never more.
 *
 * Two statements a page, so that the check itself is one plain pass over a key range, as an
 * anti-join is: `end` finds the page's last key (`k > @after ORDER BY k LIMIT 1 OFFSET @limit - 1`,
 * no row when fewer are left), and `check` reads the rows from `@after` to `@until` (`checkRest`
 * to the end, for the last page) and returns one row: their count, the last key, and the
 * unresolved documents as a JSON array of `[k, first step's JSON text or null]` (made plain text
 * by `'' ||`, so SQLite does not embed it as JSON). One `SELECT ... ORDER BY k LIMIT` feeding an aggregate cost 35% more.
 *
 * The source's columns are always qualified (`s.doc`): the target's table has `k` and `doc` too,
 * and a bare name inside the subquery on it would bind to the target's row.
 * `tables.targetIndexedBy` is ` INDEXED BY` the target's key index, or empty (see `keyIndexSql`).
 * Parameters: `@after`, `@limit`, `@until`, `@full` (the whole path, `$."a"."b"`), `@p0`..`@pN`
 * (one step each, `$."a"`), and `@segments`, `@segment` when `segmented`.
 */
export function referenceCheckSql(
  tables: { readonly source: string; readonly target: string; readonly targetIndexedBy: string },
  steps: number,
  segmented: boolean,
): { readonly end: string; readonly check: string; readonly checkRest: string } {
  const source = tables.source;
  // What each lookup reads from: it asks only whether the key exists, so through the target's key
  // index when it has one.
  const targetFrom = `${tables.target} t${tables.targetIndexedBy}`;
  const segment = segmented ? ' AND steward_segment(s.k, @segments) = @segment' : '';
  const fastOk = `json_type(s.doc, @full) = 'text' AND EXISTS (SELECT 1 FROM ${targetFrom} WHERE t.k = 's:' || json_extract(s.doc, @full))`;
  const irregular = Array.from(
    { length: steps - 1 },
    (_, i) => ` UNION ALL SELECT 0 FROM ${chain(i + 1)} WHERE e${i + 1}.type = 'array'`,
  ).join('');
  const slowOk = `(SELECT count(*) > 0 AND min(g) = 1 FROM (SELECT ${good(targetFrom)} AS g FROM ${leavesFrom(steps)}${irregular}))`;
  const check = `SELECT count(*), max(s.k),
  json_group_array(json_array(s.k, '' || (s.doc -> @p0))) FILTER (WHERE NOT (${fastOk} OR ${slowOk}))
FROM ${source} s WHERE s.k > @after`;
  return {
    end: `SELECT s.k FROM ${source} s WHERE s.k > @after${segment} ORDER BY s.k LIMIT 1 OFFSET @limit - 1`,
    // Two forms rather than `(@until IS NULL OR s.k <= @until)`, which SQLite cannot use as the
    // range's upper bound: every page would read on to the end of the table.
    check: `${check} AND s.k <= @until${segment}`,
    checkRest: `${check}${segment}`,
  };
}

/** `json_each` over the values a path part-way holds: an array's elements, or the one value. */
function expand(value: string): string {
  return `json_each(CASE WHEN ${value} IS NULL THEN '[]' WHEN json_type(${value}) = 'array' THEN ${value} ELSE json_array(json(${value})) END)`;
}

/**
 * The value at step `i` of the path: of the document at the first step, then of the element the
 * previous step expanded to (objects only; anything else holds nothing there).
 */
function stepFrom(i: number): string {
  return i === 0 ? 's.doc -> @p0' : `CASE WHEN e${i}.type = 'object' THEN e${i}.value -> @p${i} END`;
}

/** The joins expanding the first `depth` steps: `e1`..`e<depth>`, each an element reached. */
function chain(depth: number): string {
  return Array.from({ length: depth }, (_, i) => `${expand(stepFrom(i))} AS e${i + 1}`).join(', ');
}

/** The joins down to `l`, one row per value at the end of the path (null there holds none). */
function leavesFrom(steps: number): string {
  const leaf = stepFrom(steps - 1);
  const values = `json_each(CASE WHEN ${leaf} IS NULL OR json_type(${leaf}) = 'null' THEN '[]' WHEN json_type(${leaf}) = 'array' THEN ${leaf} ELSE json_array(json(${leaf})) END) AS l`;
  return steps === 1 ? values : `${chain(steps - 1)}, ${values}`;
}

/** 1 when the value `l` is a key the target holds as written, else 0 (`targetFrom`: `<table> t ...`). */
function good(targetFrom: string): string {
  return `CASE l.type WHEN 'text' THEN EXISTS (SELECT 1 FROM ${targetFrom} WHERE t.k = 's:' || l.value) WHEN 'integer' THEN abs(l.value) < 9007199254740992 AND EXISTS (SELECT 1 FROM ${targetFrom} WHERE t.k = 'n:' || l.value) ELSE 0 END`;
}
