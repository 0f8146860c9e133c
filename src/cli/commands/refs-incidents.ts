import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { type Incident, type IncidentStatus, listIncidents } from '../../ledger/incidents.js';
import type { Command } from '../command.js';
import { withLedger } from '../with-ledger.js';
import { configFor } from '../with-stores.js';
import { selectReferences } from './refs-scan.js';

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
    if (typeof reference === 'string') selectReferences([reference], config);
    const subjects = typeof reference === 'string' ? [reference] : [...config.references.keys()];
    return withLedger(ctx, config, async (ledger) => {
      const incidents = await ledger.openCollection('incidents');
      const found: Incident[] = [];
      for (const subject of subjects) {
        for await (const incident of listIncidents(incidents, { subject, ...(status ? { status } : {}) })) {
          found.push(incident);
          ctx.output.line(incidentLine(incident));
        }
      }
      if (found.length === 0) ctx.output.line('no incidents');
      ctx.output.result(found);
      return ExitCode.ok;
    });
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
