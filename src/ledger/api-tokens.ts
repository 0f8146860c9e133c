import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import { readLedgerDoc, statusOf, withKey } from './ledger-document.js';

/**
 * An API token as the ledger keeps it: a name, a role, an expiry and the SHA-256 hash of the
 * secret, never the secret itself. The hash is the document's key, so the server finds a bearer
 * token with one read; tokens are random 256-bit strings, so a plain hash is enough (there is no
 * password to guess).
 */
export interface ApiTokenRecord {
  readonly name: string;
  readonly role: string;
  /** SHA-256 (hex) of the token. */
  readonly hash: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** ISO 8601 time after which the token no longer authenticates. */
  readonly expiresAt: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
}

/**
 * The ledger's `tokens` collection: insert a token, find one by hash, list them, revoke one by
 * name. Every change is audited (`token.created`, `token.revoked`) by the ledger's actor.
 */
export class ApiTokens {
  constructor(
    private readonly collection: Collection,
    private readonly audit: (action: string, subject: string, details: JsonObject) => Promise<unknown>,
  ) {}

  /** Stores a new token record; `input.invalid` when a live (unrevoked) token has the name. */
  async create(record: ApiTokenRecord): Promise<void> {
    const live = (await this.list()).find((t) => t.name === record.name && !t.revokedAt);
    if (live)
      throw new StewardError(
        'input.invalid',
        `a token named "${record.name}" exists; revoke it first or choose another name`,
        { field: 'name' },
      );
    const doc = withKey(this.collection, record.hash, { ...record });
    const status = statusOf(this.collection, (await this.collection.write([{ type: 'insert', doc }]))[0]);
    if (status !== 'ok')
      throw new StewardError('ledger.conflict', `token "${record.name}" could not be stored (${status})`);
    const { name, role, expiresAt } = record;
    await this.audit('token.created', name, { role, expiresAt });
  }

  /** The record of a token by the hash of its secret; undefined when there is none. */
  async find(hash: string): Promise<ApiTokenRecord | undefined> {
    const doc = await readLedgerDoc(this.collection, hash);
    return doc ? recordOf(doc) : undefined;
  }

  /** Every token record, revoked ones included, by creation time. */
  async list(): Promise<ApiTokenRecord[]> {
    const records: ApiTokenRecord[] = [];
    for await (const doc of scanDocuments(this.collection)) records.push(recordOf(doc));
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** Revokes the live token of this name; `input.invalid` when there is none. */
  async revoke(name: string, by: string, at: string): Promise<ApiTokenRecord> {
    const live = (await this.list()).find((t) => t.name === name && !t.revokedAt);
    if (!live)
      throw new StewardError('input.invalid', `no live token named "${name}" (see "steward tokens list")`, {
        field: 'name',
      });
    const revoked = { ...live, revokedAt: at, revokedBy: by };
    const doc = withKey(this.collection, live.hash, { ...revoked });
    statusOf(this.collection, (await this.collection.write([{ type: 'replace', doc }]))[0]);
    await this.audit('token.revoked', name, { role: live.role });
    return revoked;
  }
}

function recordOf(doc: JsonObject): ApiTokenRecord {
  const text = (field: string) => (typeof doc[field] === 'string' ? (doc[field] as string) : '');
  const optional = (field: string) => (typeof doc[field] === 'string' ? { [field]: doc[field] } : {});
  return {
    name: text('name'),
    role: text('role'),
    hash: text('hash'),
    createdAt: text('createdAt'),
    createdBy: text('createdBy'),
    expiresAt: text('expiresAt'),
    ...optional('revokedAt'),
    ...optional('revokedBy'),
  };
}
