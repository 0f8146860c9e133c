import type { ApprovalPolicy } from '../approvals/approval-policy.js';
import { isJsonObject } from '../core/json.js';
import { resolveApprovalPolicies } from './resolve-approvals.js';

type Problem = (path: string, message: string) => void;

/** The kinds of change an environment may let through without any approval (`required: 0`). */
const mayNeedNone = new Set(['migrations']);

/** The environment a config was resolved for, and where its approval policies came from. */
export interface ResolvedEnvironment {
  /** Its name, as `--env` or `STEWARD_ENV` gave it. */
  readonly name: string;
  /** The kinds of change whose policy this environment sets, replacing `approvalPolicies`' own. */
  readonly overrides: readonly string[];
}

/**
 * Resolves the config's `environments` for the environment steward runs in (`--env`, else
 * `STEWARD_ENV`), and returns the approval policies that hold there: the top-level
 * `approvalPolicies`, each kind the environment names replaced by its own.
 *
 * ```ts
 * approvalPolicies: { migrations: { required: 2, includeOwner: true } },
 * environments: {
 *   development: { approvalPolicies: { migrations: { required: 0 } } },
 *   production: {},
 * },
 * ```
 *
 * No environment chosen means the top-level policies: forgetting `STEWARD_ENV` never relaxes an
 * approval. An environment the config does not declare (when it declares any) is a problem, not a
 * silent fall back to the defaults. Only `migrations` may need no approval in an environment:
 * deleting on a repair always takes a signature.
 */
export function resolveEnvironment(
  raw: unknown,
  chosen: string | undefined,
  base: ReadonlyMap<string, ApprovalPolicy>,
  problem: Problem,
): { environment: ResolvedEnvironment | undefined; approvalPolicies: Map<string, ApprovalPolicy> } {
  const policies = new Map(base);
  if (raw !== undefined && !isJsonObject(raw)) {
    problem('environments', 'must be an object of environments by name, such as { development: {...} }');
    return { environment: undefined, approvalPolicies: policies };
  }
  const declared = (raw ?? {}) as Record<string, unknown>;
  for (const [name, settings] of Object.entries(declared)) checkEnvironment(name, settings, problem);
  if (chosen === undefined || chosen === '') return { environment: undefined, approvalPolicies: policies };
  const names = Object.keys(declared);
  if (names.length > 0 && !names.includes(chosen)) {
    problem(
      'environments',
      `has no environment "${chosen}" (chosen by --env or STEWARD_ENV); declared: ${names.join(', ')}`,
    );
    return { environment: undefined, approvalPolicies: policies };
  }
  const own = environmentPolicies(declared[chosen], `environments.${chosen}`, () => {});
  for (const [kind, policy] of own) policies.set(kind, policy);
  return { environment: { name: chosen, overrides: [...own.keys()] }, approvalPolicies: policies };
}

function checkEnvironment(name: string, settings: unknown, problem: Problem): void {
  const path = `environments.${name}`;
  if (!isJsonObject(settings)) {
    problem(path, 'must be { approvalPolicies?: { <kind>: { required, ... } } }');
    return;
  }
  for (const key of Object.keys(settings))
    if (key !== 'approvalPolicies')
      problem(`${path}.${key}`, 'is not a known setting (expected approvalPolicies)');
  environmentPolicies(settings, path, problem);
}

/** An environment's own policies; `required: 0` is read as "no approval" where a kind allows it. */
function environmentPolicies(settings: unknown, path: string, problem: Problem): Map<string, ApprovalPolicy> {
  const raw = isJsonObject(settings) ? settings.approvalPolicies : undefined;
  if (raw === undefined) return new Map();
  const none = new Set<string>();
  const adjusted: Record<string, unknown> = {};
  for (const [kind, policy] of Object.entries(isJsonObject(raw) ? raw : {})) {
    const needsNone = isJsonObject(policy) && policy.required === 0;
    if (needsNone && !mayNeedNone.has(kind))
      problem(
        `${path}.approvalPolicies.${kind}.required`,
        `must be at least 1: only ${[...mayNeedNone].join(', ')} may need no approval in an environment`,
      );
    if (needsNone) none.add(kind);
    adjusted[kind] = needsNone ? { ...policy, required: 1 } : policy;
  }
  const resolved = resolveApprovalPolicies(isJsonObject(raw) ? adjusted : raw, (p, message) =>
    problem(`${path}.${p}`, message),
  );
  for (const kind of none)
    if (mayNeedNone.has(kind)) resolved.set(kind, { ...(resolved.get(kind) ?? {}), required: 0 });
  return resolved;
}
