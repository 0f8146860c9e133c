import { parseDuration } from '../../core/duration.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import {
  type ListedToken,
  tokenRoles,
  tokensCreate,
  tokensList,
  tokensRevoke,
} from '../../workspace/tokens.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward tokens create`: an API token for `steward serve`, printed once. */
export const tokensCreateCommand: Command = {
  path: ['tokens', 'create'],
  summary: 'make an API token for steward serve (printed once; the ledger keeps only its hash)',
  usage: `--name N --role ${tokenRoles.join('|')} [--expires 30d]`,
  description:
    'viewer reads; operator reads and starts jobs; approver reads and approves; admin does all,\n' +
    'and sets shape flags. The token is printed once: store it now. Audited as "token.created".',
  options: { name: { type: 'string' }, role: { type: 'string' }, expires: { type: 'string' } },
  optionHelp: {
    name: 'who or what holds the token; the actor of its audit records',
    role: tokenRoles.join(', '),
    expires: 'lifetime, such as 12h, 30d (default 30d, at most 366d)',
  },
  async run(ctx) {
    const input = tokensCreateArgs(ctx);
    const config = await configFor(ctx);
    const { token, record } = await tokensCreate(config, input, runOptionsFor(ctx));
    ctx.output.result({ token, ...record });
    ctx.output.line(token);
    ctx.output.note(
      `token "${record.name}" (${record.role}) expires ${record.expiresAt}; it is shown only now`,
    );
    return ExitCode.ok;
  },
};

/** The options of `tokens create`, checked before any store is opened. */
export function tokensCreateArgs(ctx: Pick<CommandContext, 'options'>) {
  const { name, role, expires } = ctx.options;
  if (typeof name !== 'string' || name === '')
    throw new StewardError('usage', 'name the token: steward tokens create --name ci-reader --role viewer');
  if (typeof role !== 'string')
    throw new StewardError('usage', `give --role: one of ${tokenRoles.join(', ')}`);
  const text = typeof expires === 'string' ? expires : '30d';
  const expiresInMs = parseDuration(text);
  if (expiresInMs === undefined)
    throw new StewardError('usage', `--expires "${text}" is not a duration such as 12h or 30d`);
  return { name, role, expiresInMs };
}

/** `steward tokens list`: every token, with role, expiry and status; never the secret. */
export const tokensListCommand: Command = {
  path: ['tokens', 'list'],
  summary: 'list API tokens: name, role, expiry, active, expired or revoked',
  async run(ctx) {
    const tokens = await tokensList(await configFor(ctx), runOptionsFor(ctx));
    ctx.output.result({ tokens });
    if (tokens.length === 0) ctx.output.line('no API tokens yet; make one with "steward tokens create"');
    for (const t of tokens) ctx.output.line(describe(t));
    return ExitCode.ok;
  },
};

/** `steward tokens revoke <name>`: a running `steward serve` refuses the token within 5 s (its token cache). */
export const tokensRevokeCommand: Command = {
  path: ['tokens', 'revoke'],
  summary: 'revoke an API token by name (audited)',
  usage: '<name>',
  async run(ctx) {
    const name = ctx.positionals[0];
    if (!name || ctx.positionals.length > 1)
      throw new StewardError('usage', 'name one token: steward tokens revoke <name>');
    const revoked = await tokensRevoke(await configFor(ctx), { name }, runOptionsFor(ctx));
    ctx.output.result(revoked);
    ctx.output.line(`revoked ${revoked.name} (${revoked.role})`);
    return ExitCode.ok;
  },
};

function describe(t: ListedToken): string {
  return `${t.name.padEnd(24)} ${t.role.padEnd(9)} ${t.status.padEnd(8)} expires ${t.expiresAt} by ${t.createdBy}`;
}
