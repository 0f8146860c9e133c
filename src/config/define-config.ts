import type { JsonObject, JsonValue } from '../core/json.js';
import type { DynamoCollectionMapping } from '../stores/store.js';
import type { DynamoStoreConfig, MongoStoreConfig, SqliteStoreConfig } from '../stores/store-config.js';

/**
 * A value read from an environment variable when the config is loaded, so secrets and
 * per-environment addresses never sit in the config file. Made by {@link env}.
 */
export interface EnvValue {
  readonly $env: string;
  readonly default?: string;
}

/** Reads a setting from an environment variable; a missing variable without a default is a config error naming it. */
export function env(name: string, fallback?: string): EnvValue {
  return fallback === undefined ? { $env: name } : { $env: name, default: fallback };
}

type Configurable<T> = { readonly [K in keyof T]: T[K] extends string ? T[K] | EnvValue : T[K] };

/**
 * A store as written in the config: its connection fields may come from {@link env}. Its name is
 * its key under `stores`, so the store's own settings have no `name`.
 */
export type StoreSettings =
  | Configurable<Omit<SqliteStoreConfig, 'name'>>
  | Configurable<Omit<MongoStoreConfig, 'name'>>
  | (Configurable<Omit<DynamoStoreConfig, 'credentials' | 'name'>> & {
      readonly credentials?: {
        readonly accessKeyId: string | EnvValue;
        readonly secretAccessKey: string | EnvValue;
      };
    });

/** A collection steward governs: which store holds it and how its documents are keyed. */
export interface CollectionSettings {
  /** Name of a store in `stores`. Default: the only store, when there is one. */
  readonly store?: string;
  /** The field holding each document's key. Default: `_id` on MongoDB, `id` elsewhere. */
  readonly key?: string;
  /** Name of the collection in the store, when it differs from steward's name for it. */
  readonly name?: string;
  /** The field each document stores its schema version in. Default: `schemaVersion`. */
  readonly versionField?: string;
  /** DynamoDB: the table and, in a single-table design, how this entity is told apart. */
  readonly dynamodb?: DynamoCollectionMapping;
}

/** A soft reference as written in the config. */
export interface ReferenceSettings {
  /** The collection whose key the field holds. */
  readonly target: string;
  /** The service that keeps the reference correct. */
  readonly owner?: string;
  /** What `refs repair` does when the target is missing. Default: `flag`. */
  readonly onMissing?: 'flag' | 'tombstone' | 'nullify' | 'rehydrate' | 'delete-dependent';
  /** Count a null or absent reference as an orphan. Default: false. */
  readonly required?: boolean;
  /** Revalidate a reference not checked for this long: "12h", "7d". */
  readonly revalidateAfter?: string;
  /** For `rehydrate`: the collection holding the source of truth for missing targets. */
  readonly rehydrateFrom?: string;
  /** When `refs repair` refuses to act on this reference; over `integrity.breaker` (docs/integrity.md). */
  readonly breaker?: BreakerSettingsInput;
}

/** The circuit breaker of `refs repair` (docs/integrity.md#circuit-breaker); every field optional. */
export interface BreakerSettingsInput {
  /** Open orphans over documents scanned above this refuses (default 0.05). */
  readonly maxOrphanRate?: number;
  /** The latest scan's orphan rate more than this many times the previous one's refuses (default 3)... */
  readonly maxJump?: number;
  /** ...when it also rose by at least this much (default 0.01, one percentage point). */
  readonly minJumpRise?: number;
  /** Below this many open orphans the breaker never refuses (default 10). */
  readonly minOrphans?: number;
}

/** Someone allowed to sign approvals (see docs/approvals.md). */
export interface ApproverSettings {
  /** Their ed25519 public key: a `.pub.pem` file relative to the config, or the PEM text itself. */
  readonly publicKey: string;
  /** Roles they may sign in, such as `owner` or `dba`. */
  readonly roles: readonly string[];
  /** Owners (services, teams) they speak for, for policies with `includeOwner`. */
  readonly owns?: readonly string[];
}

/** How many approvals a kind of change needs, and in which roles. */
export interface ApprovalPolicySettings {
  /** Distinct approvers needed. */
  readonly required: number;
  /** Roles whose approvals count. Default: any role the approver holds. */
  readonly roles?: readonly string[];
  /** One approval must come from an owner of the changed thing, signing as `owner`. */
  readonly includeOwner?: boolean;
  /**
   * Migrations only: approvals an apply used up count again for the same plan after a rollback.
   * Default false: a re-apply after a rollback needs new approvals.
   */
  readonly reuseAfterRollback?: boolean;
}

/** Where integrity events (orphans found, repairs done) are sent. */
export interface SignalsSettings {
  /** A JSON-lines file, relative to the config, each event appended as one line. */
  readonly jsonl?: string | EnvValue;
  /** An address each batch of events is POSTed to as JSON; failures are retried, then warned about. */
  readonly webhook?: {
    readonly url: string | EnvValue;
    readonly headers?: { readonly [name: string]: string | EnvValue };
    /** Per attempt. Default 5000. */
    readonly timeoutMs?: number;
    /** Attempts after the first. Default 3. */
    readonly retries?: number;
  };
}

/** steward.config.ts's shape. Later capabilities add contracts, references and derived state. */
export interface StewardConfig {
  /** The stores steward connects to, by name. */
  readonly stores: { readonly [name: string]: StoreSettings };
  /** The collections steward governs, by name. */
  readonly collections?: { readonly [name: string]: CollectionSettings };
  /** Declared soft references, keyed `<collection>.<field>` (see `resolve-references.ts`). */
  readonly references?: { readonly [collectionDotField: string]: ReferenceSettings };
  /** Settings every reference starts from: `breaker` (docs/integrity.md#circuit-breaker). */
  readonly integrity?: { readonly breaker?: BreakerSettingsInput };
  /** Where steward keeps its ledger (audit log, leases, checkpoints). Default: the first store. */
  readonly ledger?: { readonly store?: string; readonly prefix?: string };
  /** Where the data contracts live, relative to the config file. Default: `contracts`. */
  readonly contracts?: { readonly dir?: string };
  /** Who may sign approvals, by name. */
  readonly approvers?: { readonly [name: string]: ApproverSettings };
  /** Approvals needed per kind of change: `refs.delete-dependent`, `migrations`. */
  readonly approvalPolicies?: { readonly [kind: string]: ApprovalPolicySettings };
  /**
   * Per environment (chosen by `--env` or `STEWARD_ENV`), approval policies replacing
   * `approvalPolicies`' for the kinds they name; `migrations` may say `required: 0` (no approval).
   * No environment chosen: the top-level policies hold.
   */
  readonly environments?: {
    readonly [name: string]: {
      readonly approvalPolicies?: { readonly [kind: string]: ApprovalPolicySettings };
    };
  };
  /** Where integrity events are sent. */
  readonly signals?: SignalsSettings;
  /** How migrations run (see docs/migrations.md). */
  readonly migrations?: MigrationsSettings;
  /** Declared derived state, keyed `<collection>.<field>` (see docs/derived.md). */
  readonly derived?: { readonly [collectionDotField: string]: DerivedSettings };
}

/** The config's `migrations`; every setting has a default. */
export interface MigrationsSettings {
  /** The migrations folder, relative to the config file. Default: `migrations`. */
  readonly dir?: string | EnvValue;
  /** Percent of documents, chosen by key hash, the canary migrates before the gates. Default 5. */
  readonly canaryPercent?: number;
  /** Documents per batch. Default 500. */
  readonly batchSize?: number;
  /** Documents per second apply and rollback stay under. Default: no limit. */
  readonly rate?: number;
  /** Fraction (0..1) of documents that may fail before a gate stops apply. Default 0. */
  readonly maxErrorRate?: number;
  /** Gates whose failure rolls back on its own. Default: none, apply stops and waits. */
  readonly autoRollback?: {
    readonly on: readonly ('validators' | 'error-rate' | 'parity' | 'contract')[];
  };
  /**
   * Where apply and rollback send their OpenLineage RunEvents: `jsonl`, a file of one event per
   * line; `webhook`, an OpenLineage endpoint each event is POSTed to (such as
   * `http://marquez:5000/api/v1/lineage`); `namespace`, the namespace of steward's jobs (default
   * `steward`).
   */
  readonly lineage?: SignalsSettings & { readonly namespace?: string | EnvValue };
}

/**
 * Declares a steward config. It returns its argument unchanged: its value is in the types, which
 * let an editor complete the right connection fields for each store kind.
 */
export function defineConfig<const T extends StewardConfig>(config: T): T {
  return config;
}

/**
 * Derived state as written in the config: its contract (source,
 * transformation, refresh, staleness, failure behaviour, validation, repair, consumers,
 * retirement) in a form drift check, repair and rebuild can run.
 */
export interface DerivedSettings {
  readonly kind: 'copy' | 'snapshot' | 'stored' | 'counter' | 'aggregate' | 'projection' | 'search';
  /**
   * The authoritative source; `key` for aggregates (the source field holding this document's key).
   * `'self'`: computed from the document's own fields (an array element's, for a value declared
   * inside elements), with no lookup.
   */
  readonly source:
    | 'self'
    | {
        readonly collection: string;
        readonly key?: string;
        /** For a function transform fed by one source document: this document's field holding its key. */
        readonly via?: string;
        readonly where?: { readonly [field: string]: unknown };
        /** The source field holding each document's last-change time (ISO 8601): the `window` method's filter. */
        readonly changedAt?: string;
        /** The source field holding a version number raised on every change: the `checkpoint` method's. */
        readonly version?: string;
      };
  /**
   * How the value is computed. With `source: 'self'`: `{ copy: field }`, `{ multiply: [fields] }`,
   * `{ sum | min | max: path }` where `[]` takes every element (`'lines[].line_total'`), or a
   * function. A function gets what holds the value (the document, or the array element), the
   * linked source documents (for `'self'`, the document) and the document.
   */
  readonly transform:
    | { readonly count: true }
    | { readonly copy: string; readonly via?: string }
    | { readonly sum: string }
    | { readonly min: string }
    | { readonly max: string }
    | { readonly latest: string; readonly by?: string }
    | { readonly multiply: readonly string[] }
    | ((target: JsonObject, sources: readonly JsonObject[], doc: JsonObject) => JsonValue | undefined);
  /**
   * For a value inside array elements (`'orders.lines[].line_total'`): the element field that
   * tells elements apart, such as `sku`. Default: their position in the array.
   */
  readonly elementKey?: string;
  /**
   * Where repair and rebuild keep projection metadata: `'document'` (default, each document's
   * `_projection`, which `contracts verify` ignores), `'ledger'` (out of the document, in the
   * ledger's `projections`), or `{ field }` (a top-level field of your choosing).
   */
  readonly metadata?: 'document' | 'ledger' | { readonly field: string };
  readonly refresh?: 'synchronous' | 'asynchronous' | 'scheduled' | 'manual';
  /** "immediate", or how stale it may be: "90s", "5m", "12h". */
  readonly staleness?: string;
  readonly onFailure?: 'fail-write' | 'retry' | 'mark-stale' | 'ignore';
  readonly validation?:
    | 'exact'
    | 'sampling'
    | 'hash'
    | 'window'
    | 'checkpoint'
    /** A recompute window with its default length (the command's `--window` overrides it). */
    | { readonly method: 'window'; readonly days: number };
  readonly repair?: 'recompute' | 'rebuild';
  readonly consumers?: readonly { readonly service: string; readonly irreversible?: boolean }[];
  /** How it is retired: what replaces it, when. */
  readonly retire?: JsonObject;
  /** Historical value: repair and rebuild leave it alone unless forced with an approval. */
  readonly snapshot?: boolean;
  /** Version of the projection logic, written as projection metadata. Default 1. */
  readonly version?: number;
  /** Lint warnings acknowledged for this declaration, each with the reason (errors cannot be). */
  readonly lint?: { readonly accept: readonly { readonly rule: string; readonly reason: string }[] };
}
