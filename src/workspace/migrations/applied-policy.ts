import { policyFor } from '../../approvals/approval-policy.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { AppliedPolicy } from '../../migrations/apply/apply-report.js';
import { migrationsApprovalKind } from '../../migrations/plan/plan-approvals.js';

/**
 * The `migrations` approval policy of a resolved config, with the environment that chose it and
 * the config path it comes from, for apply (and status) to state what they judged by.
 */
export function appliedPolicy(config: ResolvedConfig): AppliedPolicy {
  const kind = migrationsApprovalKind;
  const policy = policyFor(config.approvalPolicies, kind);
  const env = config.environment;
  const source = env?.overrides.includes(kind)
    ? `environments.${env.name}.approvalPolicies.${kind}`
    : config.approvalPolicies.has(kind)
      ? `approvalPolicies.${kind}`
      : 'default';
  return {
    environment: env?.name ?? null,
    source,
    required: policy.required,
    includeOwner: policy.includeOwner === true,
    ...(policy.roles ? { roles: policy.roles } : {}),
  };
}
