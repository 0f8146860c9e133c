import {
  compatibilityRules,
  confluentDifferences,
  type DirectionVerdicts,
} from '../compatibility/compatibility-rules.js';
import { type ContractRule, contractRules } from '../contract.js';

/**
 * What each contract rule guards against, for the docs and `--help`. A `Record` over the rule
 * names, so a rule added to `contractRules` without a description does not compile.
 */
export const contractRuleDescriptions: Readonly<Record<ContractRule, string>> = {
  'consumer-reads-removed-field':
    'a field is gone from the newest version while a consumer still declares it reads it (whatever the semantics)',
  'deprecated-field-removed-early':
    "a field is removed before the day its deprecation's `removeAfter` allows",
  'version-removed':
    'a version of the newest compatibility group is dropped, while stored documents may still carry it',
  'version-edited':
    "a released version's schema, or whether it starts a compatibility group, changed in place",
  'collection-removed': 'a contract is deleted; every consumer it declared is named',
};

/**
 * The rules tables of `docs/contracts-check.md`, as Markdown, generated from the rules data so the
 * docs cannot drift from the code: a test compares the docs' table block with this text.
 */
export function renderRulesTable(): string {
  return [
    '| change | object | keywords | strict backward | strict forward | lenient backward | lenient forward | why |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...compatibilityRules.map((r) =>
      row([`\`${r.kind}\``, r.object, r.keywords, ...verdicts(r.strict), ...verdicts(r.lenient), r.why]),
    ),
    '',
    '| contract rule | fails when |',
    '| --- | --- |',
    ...contractRules.map((rule) => row([`\`${rule}\``, contractRuleDescriptions[rule]])),
    '',
    '| policy | Confluent | steward | why |',
    '| --- | --- | --- | --- |',
    ...confluentDifferences.map((d) => row([d.topic, d.confluent, d.steward, d.why])),
  ].join('\n');
}

function verdicts(v: DirectionVerdicts): string[] {
  return [v.backward, v.forward].map((verdict) => (verdict === 'breaks' ? '**breaks**' : 'ok'));
}

const row = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
