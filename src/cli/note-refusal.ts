import type { SnapshotRefusal } from '../workspace/derived/snapshot-force.js';
import type { CommandContext } from './command.js';

/** Says why a forced refresh of a snapshot was refused, and the command that signs what it needs. */
export function noteRefusal(ctx: CommandContext, refusal: SnapshotRefusal): void {
  const { derived, subject, kind, problems } = refusal;
  ctx.output.error(
    `${derived} is a snapshot: refreshing it needs approvals of ${subject} (kind ${kind}). ` +
      `Sign with: steward approvals sign ${subject} --kind ${kind} --key <file> --approver <name> --role <role>` +
      (problems.length > 0 ? `\n  ${problems.join('\n  ')}` : ''),
  );
}
