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
export type { DriftIncidentPage } from './derived/drift-incidents.js';
export type { DriftMethod, DriftReport } from './derived/drift-report.js';
// What the entry points return, for typing a caller's code.
export type { DualRunReport } from './derived/dual-run-report.js';
export type { RepairReport as DerivedRepairReport } from './derived/repair-report.js';
export type { DerivedStatus } from './derived/status/derived-status.js';
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
export type { StaleReport } from './integrity/scan/revalidate-stale.js';
export type { ScanEvent } from './integrity/scan/scan-input.js';
export type { ReferenceScanReport } from './integrity/scan/scan-report.js';
export type { UndoInput } from './integrity/undo/undo-repair-run.js';
export { undoRepairRun } from './integrity/undo/undo-repair-run.js';
export type { UndoItem, UndoReport, UndoStatus } from './integrity/undo/undo-report.js';
// Background jobs over the library's entry points: start, follow, pause, resume; see docs/library.md.
export {
  driftCheckInputSchema,
  driftRepairInputSchema,
  migrateApplyInputSchema,
  migrateRollbackInputSchema,
  refsRepairInputSchema,
  refsScanInputSchema,
} from './jobs/job-input-schemas.js';
export type { JobKind } from './jobs/job-kinds.js';
export { jobKinds } from './jobs/job-kinds.js';
export type { JobManagerOptions, RecoverOptions } from './jobs/job-manager.js';
export { JobManager } from './jobs/job-manager.js';
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
export type { StoredAuditVerification } from './ledger/audit-records.js';
export type { Incident, IncidentStatus } from './ledger/incidents.js';
export type { JobOwner, JobPage, JobProgress, JobRecord, JobStatus } from './ledger/job-records.js';
export type { Lease } from './ledger/lease.js';
export type { Ledger, LedgerOptions } from './ledger/ledger.js';
export { openLedger } from './ledger/ledger.js';
export type { ApplyReport } from './migrations/apply/apply-report.js';
export type { MigrationEvent } from './migrations/apply/migration-events.js';
export type {
  CollectionOperation,
  Migration,
  MigrationDefinition,
  ValidatorDefinition,
} from './migrations/migration.js';
export { defineMigration } from './migrations/migration.js';
export type { MigrationPlan } from './migrations/plan/migration-plan-view.js';
export type { DryRunReport } from './migrations/report/dry-run-report.js';
export type { RollbackReport } from './migrations/rollback/rollback-report.js';
// `steward serve` as a library: build the HTTP API (for `inject` or your own `listen`) or start it.
export type { ServerOptions } from './server/create-server.js';
export { createServer } from './server/create-server.js';
export type { RouteRole } from './server/roles.js';
export type { AnyServerRoute, Caller, RouteCall, ServerContext, ServerRoute } from './server/server-route.js';
export { defineRoute } from './server/server-route.js';
export type { ListenOptions, RunningServer } from './server/start-server.js';
export { startServer } from './server/start-server.js';
export type { IntegrityEvent, IntegrityEventListener } from './signals/integrity-event.js';
export { createLogger, type JobIdentity, jobEventLog, jobLogger, type Logger } from './signals/job-logger.js';
export { JsonlSink } from './signals/jsonl-sink.js';
export type { LineagePublisher, LineageTransport } from './signals/lineage-publisher.js';
export { openSignals } from './signals/open-signals.js';
export type { BaseFacet, LineageDataset, RunEvent, RunEventType } from './signals/openlineage-event.js';
export type { SignalSink } from './signals/signal-sink.js';
export type { SignalWarning } from './signals/signals.js';
export { Signals } from './signals/signals.js';
export {
  collectProcessMetrics,
  defaultRegistry,
  registerStewardMetrics,
  type StewardMetrics,
  stewardMetrics,
} from './signals/steward-metrics.js';
export { WebhookSink } from './signals/webhook-sink.js';
export { openStore } from './stores/open-store.js';
export type {
  Collection,
  CollectionSpec,
  DocKey,
  DynamoCollectionMapping,
  LayoutGap,
  Page,
  ScanOptions,
  Store,
  StoreCapabilities,
  WriteOp,
  WriteResult,
} from './stores/store.js';
export { docKey, keyId } from './stores/store.js';
export type { StoreConfig } from './stores/store-config.js';
// The library layer: one entry point per capability, with plain inputs (a resolved config, the
// actor, an AbortSignal, a progress callback) and typed results. The CLI calls these; see
// docs/library.md.
export type {
  ApprovalsKeygenInput,
  ApprovalsKeygenResult,
  ApprovalsSignResult,
  ListedApproval,
  Signer,
  SignRequest,
} from './workspace/approvals.js';
export {
  approvalsKeygen,
  approvalsList,
  approvalsSign,
  approvalsSubmit,
  signApprovalFor,
} from './workspace/approvals.js';
export type { AuditLogInput, AuditLogPage } from './workspace/audit-log.js';
export { auditLog } from './workspace/audit-log.js';
export type { AuditVerifyInput, AuditVerifyResult } from './workspace/audit-verify.js';
export { auditVerify } from './workspace/audit-verify.js';
export type {
  ContractRow,
  ContractsCheckInput,
  ContractsCheckResult,
  ContractsDir,
  ContractsGraphInput,
  ContractsGraphResult,
  ContractsImpactInput,
} from './workspace/contracts/contracts-files.js';
export {
  contractsCheck,
  contractsDeprecations,
  contractsExport,
  contractsGraph,
  contractsImpact,
  contractsList,
} from './workspace/contracts/contracts-files.js';
export type {
  ContractsVerifyEvent,
  ContractsVerifyInput,
  ContractsVerifyResult,
  VerifiedCollection,
} from './workspace/contracts/contracts-verify.js';
export { contractsVerify } from './workspace/contracts/contracts-verify.js';
export type { ServiceCollection, ServiceView } from './workspace/contracts/service-view.js';
export { serviceView } from './workspace/contracts/service-view.js';
export type { DerivedBackfillInput, DerivedBackfillResult } from './workspace/derived/derived-backfill.js';
export { derivedBackfill } from './workspace/derived/derived-backfill.js';
export type { DerivedCutoverInput } from './workspace/derived/derived-cutover.js';
export { derivedCutover } from './workspace/derived/derived-cutover.js';
export type { DerivedDualRunInput, DropShadowResult } from './workspace/derived/derived-dual-run.js';
export { derivedDropShadow, derivedDualRun } from './workspace/derived/derived-dual-run.js';
export type { DerivedJobEvent, DerivedJobInput, DerivedJobWaiting } from './workspace/derived/derived-job.js';
export type { DerivedRebuildInput, DerivedRebuildResult } from './workspace/derived/derived-rebuild.js';
export { derivedRebuild } from './workspace/derived/derived-rebuild.js';
export type { DerivedDescription, DerivedLintResult } from './workspace/derived/derived-reports.js';
export { derivedAmplification, derivedLint, derivedList } from './workspace/derived/derived-reports.js';
export type { DerivedStatusResult } from './workspace/derived/derived-status.js';
export { derivedStatus } from './workspace/derived/derived-status.js';
export type { DriftCheckEvent, DriftCheckInput, DriftCheckResult } from './workspace/derived/drift-check.js';
export { driftCheck } from './workspace/derived/drift-check.js';
export type { DriftIncidentsInput } from './workspace/derived/drift-incidents.js';
export { driftIncidents } from './workspace/derived/drift-incidents.js';
export type {
  DriftRepairEvent,
  DriftRepairInput,
  DriftRepairResult,
} from './workspace/derived/drift-repair.js';
export { driftRepair } from './workspace/derived/drift-repair.js';
export type { SnapshotRefusal } from './workspace/derived/snapshot-force.js';
export type {
  CollectionCheck,
  DoctorOptions,
  DoctorReport,
  LedgerCheck,
  StoreCheck,
} from './workspace/doctor.js';
export { doctor } from './workspace/doctor.js';
export type { CountResult, FindInput } from './workspace/documents.js';
export { countDocuments, findDocuments } from './workspace/documents.js';
export type { ExampleGenerateInput, ExampleProgress } from './workspace/example-generate.js';
export { exampleGenerate } from './workspace/example-generate.js';
export type { FlagsGetResult, FlagsSetInput } from './workspace/flags.js';
export { flagsGet, flagsList, flagsSet } from './workspace/flags.js';
export type { InitProjectInput, InitProjectResult } from './workspace/init/init-project.js';
export { initProject } from './workspace/init/init-project.js';
export type { IncidentsListInput, IncidentsPage } from './workspace/integrity/incidents-list.js';
export { incidentsList } from './workspace/integrity/incidents-list.js';
export type { RefsIncidentsInput } from './workspace/integrity/refs-incidents.js';
export { refsIncidents } from './workspace/integrity/refs-incidents.js';
export type { RefsRehydrateResult } from './workspace/integrity/refs-rehydrate.js';
export { refsRehydrate } from './workspace/integrity/refs-rehydrate.js';
export type { RefsRepairInput, RefsRepairResult } from './workspace/integrity/refs-repair.js';
export { refsRepair } from './workspace/integrity/refs-repair.js';
export type { RefsScanEvent, RefsScanInput, RefsScanResult } from './workspace/integrity/refs-scan.js';
export { refsScan } from './workspace/integrity/refs-scan.js';
export type { RefsUndoInput } from './workspace/integrity/refs-undo.js';
export { refsUndo } from './workspace/integrity/refs-undo.js';
export type { MigrateApplyInput, MigrateApplyResult } from './workspace/migrations/migrate-apply.js';
export { migrateApply } from './workspace/migrations/migrate-apply.js';
export type { MigrateApproveInput, MigrateApproveResult } from './workspace/migrations/migrate-approve.js';
export { migrateApprove } from './workspace/migrations/migrate-approve.js';
export type { MigrateCreateInput, MigrateCreateResult } from './workspace/migrations/migrate-create.js';
export { migrateCreate } from './workspace/migrations/migrate-create.js';
export type {
  DryRunProgress,
  MigrateDryRunInput,
  MigrateDryRunResult,
} from './workspace/migrations/migrate-dry-run.js';
export { migrateDryRun } from './workspace/migrations/migrate-dry-run.js';
export type { MigrateDryRunReportResult } from './workspace/migrations/migrate-dry-run-report.js';
export { migrateDryRunReport } from './workspace/migrations/migrate-dry-run-report.js';
export type { MigrateHistoryResult } from './workspace/migrations/migrate-history.js';
export { migrateHistory } from './workspace/migrations/migrate-history.js';
export type { MigratePlanInput } from './workspace/migrations/migrate-plan.js';
export { migratePlan, migratePlanRead } from './workspace/migrations/migrate-plan.js';
export type { MigrateRollbackInput, MigrateRollbackResult } from './workspace/migrations/migrate-rollback.js';
export { migrateRollback } from './workspace/migrations/migrate-rollback.js';
export type { MigrateStatus } from './workspace/migrations/migrate-status.js';
export { migrateStatus } from './workspace/migrations/migrate-status.js';
export type { MigrateValidateResult, MigrationProblem } from './workspace/migrations/migrate-validate.js';
export { migrateValidate } from './workspace/migrations/migrate-validate.js';
export type { ProgressTick } from './workspace/progress-tick.js';
export type { RunOptions } from './workspace/run-options.js';
export { actorFromEnv } from './workspace/run-options.js';
export type { StoreReadiness } from './workspace/stores-ready.js';
export { storesReady } from './workspace/stores-ready.js';
export type {
  ListedToken,
  TokenCheck,
  TokenRole,
  TokensCreateInput,
  TokensCreateResult,
} from './workspace/tokens.js';
export { tokensAuthenticate, tokensCreate, tokensList, tokensRevoke } from './workspace/tokens.js';
export type { Workspace, WorkspaceNeeds } from './workspace/workspace.js';
export { withWorkspace } from './workspace/workspace.js';
