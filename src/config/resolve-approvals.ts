import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { publicKeyFingerprint, publicKeyProblem } from '../approvals/approval-keys.js';
import type { ApprovalPolicy, Approver } from '../approvals/approval-policy.js';
import { isJsonObject } from '../core/json.js';

type Problem = (path: string, message: string) => void;

const namePattern = /^[A-Za-z_][A-Za-z0-9_.@-]*$/;

/**
 * Resolves the config's `approvers`: who may sign approvals, with their public key (a PEM file
 * relative to the config, or the PEM text inline) and roles. Key files are read here, so a
 * missing or wrong key is a config problem named by path, found before anything needs it.
 *
 * ```ts
 * approvers: {
 *   alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner', 'dba'], owns: ['profile-service'] },
 * }
 * ```
 */
export function resolveApprovers(raw: unknown, baseDir: string, problem: Problem): Map<string, Approver> {
  const out = new Map<string, Approver>();
  if (raw === undefined) return out;
  if (!isJsonObject(raw)) {
    problem('approvers', 'must be an object of approvers by name, such as { alice: { publicKey, roles } }');
    return out;
  }
  for (const [name, settings] of Object.entries(raw)) {
    const path = `approvers.${name}`;
    if (!namePattern.test(name)) problem(path, 'approver names use letters, digits, "_", "-", "." and "@"');
    if (!isJsonObject(settings)) {
      problem(path, "must be { publicKey: 'keys/<name>.pub.pem', roles: ['owner'] }");
      continue;
    }
    const publicKeyPem = readPublicKey(settings.publicKey, `${path}.publicKey`, baseDir, problem);
    const roles = stringList(settings.roles, `${path}.roles`, problem, true);
    const owns = stringList(settings.owns, `${path}.owns`, problem, false);
    if (publicKeyPem !== undefined) out.set(name, { name, publicKeyPem, roles, owns });
  }
  sharedKeys(out, problem);
  return out;
}

/**
 * Two approvers with one key are one person able to sign as both, so a quorum of two would be
 * met by one signer. Compared by the key itself, not the PEM text, which may be formatted apart.
 */
function sharedKeys(approvers: ReadonlyMap<string, Approver>, problem: Problem): void {
  const first = new Map<string, string>();
  for (const { name, publicKeyPem } of approvers.values()) {
    const fingerprint = publicKeyFingerprint(publicKeyPem);
    const other = first.get(fingerprint);
    if (other === undefined) first.set(fingerprint, name);
    else
      problem(
        `approvers.${name}.publicKey`,
        `is the same key as approvers.${other}.publicKey: ${other} and ${name} would be one signer ` +
          'counted twice; give each approver their own key ("steward approvals keygen")',
      );
  }
}

/**
 * Resolves the config's `approvalPolicies`, keyed by the kind of change:
 *
 * ```ts
 * approvalPolicies: {
 *   'refs.delete-dependent': { required: 1, roles: ['owner'] },
 *   migrations: { required: 2, includeOwner: true },
 * }
 * ```
 */
export function resolveApprovalPolicies(raw: unknown, problem: Problem): Map<string, ApprovalPolicy> {
  const out = new Map<string, ApprovalPolicy>();
  if (raw === undefined) return out;
  if (!isJsonObject(raw)) {
    problem(
      'approvalPolicies',
      'must be an object of policies by kind, such as { migrations: { required: 2 } }',
    );
    return out;
  }
  for (const [kind, settings] of Object.entries(raw)) {
    const path = `approvalPolicies.${kind}`;
    if (!isJsonObject(settings)) {
      problem(
        path,
        'must be { required: <number>, roles?: [...], includeOwner?: true, reuseAfterRollback?: true }',
      );
      continue;
    }
    const required = settings.required;
    if (typeof required !== 'number' || !Number.isInteger(required) || required < 1)
      problem(`${path}.required`, 'must be a whole number of approvals, at least 1');
    for (const flag of ['includeOwner', 'reuseAfterRollback'])
      if (settings[flag] !== undefined && typeof settings[flag] !== 'boolean')
        problem(`${path}.${flag}`, 'must be true or false');
    const roles =
      settings.roles === undefined ? undefined : stringList(settings.roles, `${path}.roles`, problem, true);
    out.set(kind, {
      required: typeof required === 'number' ? required : 1,
      ...(roles ? { roles } : {}),
      ...(settings.includeOwner === true ? { includeOwner: true } : {}),
      ...(settings.reuseAfterRollback === true ? { reuseAfterRollback: true } : {}),
    });
  }
  return out;
}

function readPublicKey(value: unknown, path: string, baseDir: string, problem: Problem): string | undefined {
  if (typeof value !== 'string' || value === '') {
    problem(path, 'is required: the path of a .pub.pem file made by "steward approvals keygen", or its text');
    return undefined;
  }
  let pem = value;
  if (!value.includes('-----BEGIN')) {
    const file = isAbsolute(value) ? value : resolve(baseDir, value);
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      problem(
        path,
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
      return undefined;
    }
  }
  const wrong = publicKeyProblem(pem);
  if (wrong) problem(path, wrong);
  return wrong ? undefined : pem;
}

function stringList(value: unknown, path: string, problem: Problem, required: boolean): string[] {
  if (value === undefined && !required) return [];
  const ok =
    Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== '');
  if (!ok) {
    problem(path, `must be a non-empty list of names${required ? '' : '; leave it out for none'}`);
    return [];
  }
  return value as string[];
}
