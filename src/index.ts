/**
 * steward's public API: what a config file, a service using the read-time helpers, or a script
 * driving steward imports. The CLI uses this same API.
 */

export type { CollectionSettings, EnvValue, StewardConfig, StoreSettings } from './config/define-config.js';
export { defineConfig, env } from './config/define-config.js';
export { loadConfig } from './config/load-config.js';
export { resolveConfig } from './config/resolve-config.js';
export type { ResolvedCollection, ResolvedConfig } from './config/resolved-config.js';
export type { CompatibilityMode } from './contracts/compatibility/check-compatibility.js';
export type {
  ConsumerDeclaration,
  Contract,
  ContractDefinition,
  ContractVersion,
  Deprecation,
  FieldAuthority,
  FieldDeclaration,
  Waiver,
} from './contracts/contract.js';
export { defineContract } from './contracts/contract.js';
export type { LoadedContracts } from './contracts/load-contracts.js';
export { loadContracts } from './contracts/load-contracts.js';
export type { Condition, Filter, ParsedFilter } from './core/filter.js';
export { matchesFilter, parseFilter } from './core/filter.js';
export type { JsonObject, JsonValue, Scalar } from './core/json.js';
export type { StewardErrorCode } from './errors/steward-error.js';
export { ExitCode, isStewardError, StewardError } from './errors/steward-error.js';
export type { ExampleManifest, GenerateExampleOptions } from './example/generate-example.js';
export { generateExample } from './example/generate-example.js';
export type { AuditEntry, AuditProblem, AuditRecord, AuditVerification } from './ledger/audit-chain.js';
export { verifyAuditChain } from './ledger/audit-chain.js';
export type { Lease } from './ledger/lease.js';
export type { Ledger, LedgerOptions } from './ledger/ledger.js';
export { openLedger } from './ledger/ledger.js';
export { openStore } from './stores/open-store.js';
export type {
  Collection,
  CollectionSpec,
  DocKey,
  DynamoCollectionMapping,
  Page,
  ScanOptions,
  Store,
  StoreCapabilities,
  WriteOp,
  WriteResult,
} from './stores/store.js';
export { docKey, keyId } from './stores/store.js';
export type { StoreConfig } from './stores/store-config.js';
