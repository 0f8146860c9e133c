import type { Waiver } from '../contract.js';
import type { CheckFinding, RawFinding } from './check-report.js';

/**
 * Applies a contract's waivers to its findings. A waiver matches a finding with the same rule and
 * a path equal to the finding's JSON pointer or its field path. A waiver holds through its
 * `expires` day; an expired one waives nothing, and the finding says since when, so whoever
 * wrote it is reminded to decide again rather than the check silently failing.
 */
export function applyWaivers(findings: readonly RawFinding[], waivers: readonly Waiver[], asOf: string) {
  return findings.map((finding) => waive(finding, waivers, asOf));
}

function waive(finding: RawFinding, waivers: readonly Waiver[], asOf: string): CheckFinding {
  const matching = waivers.filter(
    (w) => w.rule === finding.rule && (w.path === finding.path || w.path === finding.field),
  );
  const valid = matching.find((w) => w.expires >= asOf);
  if (valid) {
    return {
      ...finding,
      status: 'waived',
      waiver: { reason: valid.reason, expires: valid.expires, expired: false },
    };
  }
  const expired = matching.sort((a, b) => b.expires.localeCompare(a.expires))[0];
  if (!expired) return { ...finding, status: 'failing' };
  return {
    ...finding,
    message: `${finding.message} (the waiver for it expired on ${expired.expires})`,
    status: 'failing',
    waiver: { reason: expired.reason, expires: expired.expires, expired: true },
  };
}
