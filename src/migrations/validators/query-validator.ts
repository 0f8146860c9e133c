import { parseFilter } from '../../core/filter.js';
import { formatCount } from '../../core/format-count.js';
import { scanDocuments } from '../../stores/scan-pages.js';
import { type Collection, docKey } from '../../stores/store.js';
import type { ValidatorDefinition } from '../migration.js';
import { ProblemList, showKey, thrownMessage, type ValidatorResult } from './validator-result.js';

type QueryValidator = Extract<ValidatorDefinition, { kind: 'query' }>;

/**
 * Runs a custom check on every document matching `where`. A check that returns a string reports
 * that document; one that throws is reported the same way, with what it threw, and the scan goes on.
 */
export async function runQueryValidator(v: QueryValidator, collection: Collection): Promise<ValidatorResult> {
  const filter = v.where ? parseFilter(v.where, `validator "${v.name}" where`) : undefined;
  const problems = new ProblemList();
  let checked = 0;
  for await (const doc of scanDocuments(collection, { limit: 500, ...(filter ? { filter } : {}) })) {
    checked++;
    let problem: string | undefined;
    try {
      problem = v.check(doc);
    } catch (error) {
      problem = `check threw: ${thrownMessage(error)}`;
    }
    if (problem !== undefined) problems.add(`${showKey(docKey(doc, collection.spec))}: ${problem}`);
  }
  const ok = problems.total === 0;
  const message = ok
    ? `${formatCount(checked)} document(s) of ${v.collection} pass`
    : `${formatCount(problems.total)} of ${formatCount(checked)} document(s) of ${v.collection} fail`;
  return { name: v.name, kind: 'query', ok, message, problems: problems.items };
}
