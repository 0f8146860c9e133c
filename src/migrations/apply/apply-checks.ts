import type { JsonObject } from '../../core/json.js';
import { readChangelogRecords } from '../changelog.js';
import { type ApprovalGrant, checkApprovals, isRefusal } from './apply-approvals.js';
import type { ApplyInput } from './apply-context.js';
import { failedGates } from './apply-gates.js';
import { type ApplyRefusal, refusal } from './apply-refusal.js';
import { type ApplyState, runOf } from './apply-state.js';
import { changedCollections } from './migration-collections.js';

/**
 * The checks between deciding a plan and running it: the latest dry run of the plan passed and
 * approvals of it, unused by other runs, meet the policy (a resumed run is checked like a fresh
 * one); and a migration stopped at a gate waits for a person's decision (`--resume`). A refusal,
 * or the grant of approvals the run then uses up.
 */
export async function checkRun(
  input: ApplyInput,
  state: ApplyState,
  now: number,
): Promise<ApplyRefusal | ApprovalGrant> {
  const spentPlans = (await readChangelogRecords(input.ledger))
    .map((r) => r.planHash)
    .filter((h) => h !== state.plan.hash);
  const approval = await checkApprovals({
    spentPlans,
    ledger: input.ledger,
    planHash: state.plan.hash,
    approvers: input.approvers,
    policies: input.approvalPolicies,
    owners: ownersOf(input, state.plan.ids),
    run: runOf(state),
    now,
  });
  if (isRefusal(approval)) return approval;
  return state.progress?.phase === 'gate-failed' && !input.resume ? awaitingDecision(state) : approval;
}

/** Audits a refusal: who tried to apply what, and why it was refused. */
export async function auditRefusal(
  input: ApplyInput,
  r: ApplyRefusal,
  planHash: string | undefined,
): Promise<void> {
  await input.ledger.audit.append({
    action: 'migrate.apply.refused',
    subject: planHash ?? 'migrate',
    details: { reason: r.reason, message: r.message, problems: r.problems.slice(0, 50) } as JsonObject,
  });
}

function awaitingDecision(state: ApplyState): ApplyRefusal {
  const p = state.progress!;
  return refusal(
    'awaiting-decision',
    `${p.id} stopped at a failed gate (${failedGates(p.gates).join(', ')}) and waits for a decision: ` +
      '`steward migrate apply --resume` goes on past it, `steward migrate rollback` undoes what was done.',
    p.gates.filter((g) => !g.ok).map((g) => `${g.gate} (${g.stage}): ${g.message}`),
  );
}

/** Owners of the collections the plan changes, from their contracts. */
function ownersOf(input: ApplyInput, ids: readonly string[]): string[] {
  const owners = new Set<string>();
  for (const m of input.migrations.filter((m) => ids.includes(m.id)))
    for (const name of changedCollections(m)) {
      const contract = input.contracts.contracts.find((c) => c.collection === name);
      if (contract) owners.add(contract.owner);
    }
  return [...owners];
}
