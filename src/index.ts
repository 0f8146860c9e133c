/**
 * steward's public API: what a config file, a service using the read-time helpers, or a script
 * driving steward imports. The CLI uses this same API.
 */

export type { Approval } from './approvals/approval.js';
export { generateApproverKeys, signApproval } from './approvals/approval-keys.js';
export type { ApprovalUse, StoredApproval } from './approvals/approval-ledger.js';
export { listApprovals, recordApproval, useApprovals, usesOf } from './approvals/approval-ledger.js';
export type { ApprovalPolicy, Approver } from './approvals/approval-policy.js';
export type {
  ApprovalProblem,
  ApprovalVerification,
  VerifyApprovalsInput,
} from './approvals/verify-approvals.js';
export { verifyApprovals } from './approvals/verify-approvals.js';
export type {
  ApprovalPolicySettings,
  ApproverSettings,
  CollectionSettings,
  EnvValue,
  SignalsSettings,
  StewardConfig,
  StoreSettings,
} from './config/define-config.js';
export { defineConfig, env } from './config/define-config.js';
export { loadConfig } from './config/load-config.js';
export { resolveConfig } from './config/resolve-config.js';
export type { ResolvedCollection, ResolvedConfig } from './config/resolved-config.js';
export { checkContracts } from './contracts/check/check-contracts.js';
export type { CheckFinding, CheckInput, CheckReport } from './contracts/check/check-report.js';
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
export type {
  ConfigDeclarations,
  DataFlowGraph,
  EdgeConflict,
  GraphEdge,
  GraphNode,
} from './contracts/graph/data-flow-graph.js';
export { buildDataFlowGraph, configDeclarations } from './contracts/graph/data-flow-graph.js';
export { toMermaid } from './contracts/graph/to-mermaid.js';
export { toSvg } from './contracts/graph/to-svg.js';
export { impactOf } from './contracts/impact/impact-of.js';
export type { LoadedContracts } from './contracts/load-contracts.js';
export { loadContracts } from './contracts/load-contracts.js';
export type { ReadableDoc } from './contracts/reader/plain-copy.js';
export type { ReaderProblem } from './contracts/reader/reader-errors.js';
export type { Upcaster, Upcasters } from './contracts/reader/upcaster-chain.js';
export type { VersionedReader, VersionedReaderOptions } from './contracts/reader/versioned-reader.js';
export { createVersionedReader } from './contracts/reader/versioned-reader.js';
export { verifyCollection } from './contracts/verify/verify-collection.js';
export type { VerifyReport } from './contracts/verify/verify-report.js';
export type { Condition, Filter, ParsedFilter } from './core/filter.js';
export { matchesFilter, parseFilter } from './core/filter.js';
export type { JsonObject, JsonValue, Scalar } from './core/json.js';
export type { StewardErrorCode } from './errors/steward-error.js';
export { ExitCode, isStewardError, StewardError } from './errors/steward-error.js';
export type { ExampleManifest, GenerateExampleOptions } from './example/generate-example.js';
export { generateExample } from './example/generate-example.js';
export type { FlagGeneration } from './flags/flag-generations.js';
export type { FlagChange, FlagChangeState, ShapeFlag } from './flags/flag-rules.js';
export type { FlagReadOptions, FlagSource } from './flags/read-shape-flag.js';
export { listShapeFlags, readShapeFlag, shapeFlagHistory } from './flags/read-shape-flag.js';
export type { SetShapeFlagOptions, SetShapeFlagResult } from './flags/set-shape-flag.js';
export { setShapeFlag } from './flags/set-shape-flag.js';
export type { ShapeFlagCache, ShapeFlagCacheOptions } from './flags/shape-flag-cache.js';
export { shapeFlagCache } from './flags/shape-flag-cache.js';
export type { BreakerSettings } from './integrity/breaker/breaker-settings.js';
export type { BreakerVerdict } from './integrity/breaker/breaker-verdict.js';
export type { BreakerCheck } from './integrity/breaker/check-breaker.js';
export { breakerPlanHash } from './integrity/breaker/check-breaker.js';
export type { GuardContext, ReferenceResolution } from './integrity/guard/resolve-reference.js';
export { resolveReference } from './integrity/guard/resolve-reference.js';
export type { RehydrationResult } from './integrity/guard/work-rehydrations.js';
export { workRehydrations } from './integrity/guard/work-rehydrations.js';
export { tombstonePath } from './integrity/repair/plan-write.js';
export type { RepairContext, RepairOptions } from './integrity/repair/repair-context.js';
export { repairPlanHash } from './integrity/repair/repair-plan-hash.js';
export { repairReference } from './integrity/repair/repair-reference.js';
export { repairReferences } from './integrity/repair/repair-references.js';
export type {
  Change,
  ReferenceRepair,
  RepairItem,
  RepairReport,
  RepairStatus,
} from './integrity/repair/repair-result.js';
export type { UndoInput } from './integrity/undo/undo-repair-run.js';
export { undoRepairRun } from './integrity/undo/undo-repair-run.js';
export type { UndoItem, UndoReport, UndoStatus } from './integrity/undo/undo-report.js';
export type {
  AuditEntry,
  AuditProblem,
  AuditRecord,
  AuditVerification,
  ChainTip,
  RecordedHead,
} from './ledger/audit-chain.js';
export { verifyAuditChain } from './ledger/audit-chain.js';
export { auditHead, formatAuditHead, parseAuditHead, recordedHead } from './ledger/audit-head-ref.js';
export type { Lease } from './ledger/lease.js';
export type { Ledger, LedgerOptions } from './ledger/ledger.js';
export { openLedger } from './ledger/ledger.js';
export type {
  CollectionOperation,
  Migration,
  MigrationDefinition,
  ValidatorDefinition,
} from './migrations/migration.js';
export { defineMigration } from './migrations/migration.js';
export type { IntegrityEvent, IntegrityEventListener } from './signals/integrity-event.js';
export { JsonlSink } from './signals/jsonl-sink.js';
export { Counter, Gauge, MetricsRegistry } from './signals/metrics-registry.js';
export { openSignals } from './signals/open-signals.js';
export type { SignalSink } from './signals/signal-sink.js';
export type { SignalWarning } from './signals/signals.js';
export { defaultMetrics, Signals } from './signals/signals.js';
export { WebhookSink } from './signals/webhook-sink.js';
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
