import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Incident, IncidentStatus } from '../../ledger/incidents.js';
import { refsIncidents } from '../../workspace/integrity/refs-incidents.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';

const statuses: readonly IncidentStatus[] = ['open', 'closed'];

/** `steward refs incidents`: lists the incidents `refs scan` recorded, by reference and status. */
export const refsIncidentsCommand: Command = {
  path: ['refs', 'incidents'],
  summary: 'list the incidents reference scans recorded',
  usage: '[--reference R] [--status open|closed]',
  description:
    'One line per incident: its status, kind, reference, document key and what was found.\n' +
    'With --json, an array of incidents as stored in the ledger.',
  options: { reference: { type: 'string' }, status: { type: 'string' } },
  optionHelp: {
    reference: 'only incidents of this reference, such as profiles.accountId',
    status: 'only open or only closed incidents',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const reference = ctx.options.reference;
    const status = ctx.options.status as IncidentStatus | undefined;
    if (status !== undefined && !statuses.includes(status))
      throw new StewardError('usage', `--status must be open or closed (got "${String(status)}")`);
    const input = { ...(typeof reference === 'string' ? { reference } : {}), ...(status ? { status } : {}) };
    const found = await refsIncidents(config, input, runOptionsFor(ctx));
    for (const incident of found) ctx.output.line(incidentLine(incident));
    if (found.length === 0) ctx.output.line('no incidents');
    ctx.output.result(found);
    return ExitCode.ok;
  },
};

function incidentLine(i: Incident): string {
  const missing = Array.isArray(i.detail.missing) ? i.detail.missing.map((k) => JSON.stringify(k)) : [];
  const mismatched = Array.isArray(i.detail.mismatched)
    ? i.detail.mismatched.map((m) => JSON.stringify(m))
    : [];
  const what = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    mismatched.length > 0 ? `mismatched ${mismatched.join(', ')}` : '',
    typeof i.detail.found === 'string' ? `reference ${i.detail.found}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const when =
    i.status === 'open'
      ? `last seen ${i.lastSeenAt}`
      : `closed ${i.closedAt ?? ''} (${String(i.resolution?.action ?? '')})`;
  return `${i.status.padEnd(6)} ${i.kind.padEnd(16)} ${i.subject} ${JSON.stringify(i.key)}  ${what}  ${when}  ${i.id}`;
}
