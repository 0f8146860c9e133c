import type { Command } from '../command.js';
import { approvalsKeygenCommand, approvalsListCommand, approvalsSignCommand } from './approvals.js';
import { auditVerifyCommand } from './audit-verify.js';
import { contractsCheckCommand } from './contracts-check.js';
import { contractsDeprecationsCommand } from './contracts-deprecations.js';
import { contractsExportCommand } from './contracts-export.js';
import { contractsImpactCommand } from './contracts-impact.js';
import { contractsListCommand } from './contracts-list.js';
import { contractsVerifyCommand } from './contracts-verify.js';
import { demoCommand } from './demo.js';
import { derivedAmplificationCommand } from './derived-amplification.js';
import { derivedBackfillCommand } from './derived-backfill.js';
import { derivedCutoverCommand } from './derived-cutover.js';
import { derivedDualRunCommand } from './derived-dual-run.js';
import { derivedLintCommand } from './derived-lint.js';
import { derivedListCommand } from './derived-list.js';
import { derivedStatusCommand } from './derived-status.js';
import { doctorCommand } from './doctor.js';
import { driftCheckCommand } from './drift-check.js';
import { driftRepairCommand } from './drift-repair.js';
import { exampleGenerateCommand } from './example-generate.js';
import { countCommand, findCommand } from './find.js';
import { flagsGetCommand, flagsListCommand, flagsSetCommand } from './flags.js';
import { graphCommand } from './graph.js';
import { initCommand } from './init.js';
import { migrateApplyCommand } from './migrate-apply.js';
import { migrateApproveCommand } from './migrate-approve.js';
import { migrateDryRunCommand } from './migrate-dry-run.js';
import { migrateHistoryCommand } from './migrate-history.js';
import { migratePlanCommand } from './migrate-plan.js';
import { migrateRollbackCommand } from './migrate-rollback.js';
import { migrateStatusCommand } from './migrate-status.js';
import { migrateValidateCommand } from './migrate-validate.js';
import { rebuildCommand } from './rebuild.js';
import { refsIncidentsCommand } from './refs-incidents.js';
import { refsRehydrateCommand } from './refs-rehydrate.js';
import { refsRepairCommand } from './refs-repair.js';
import { refsScanCommand } from './refs-scan.js';
import { serveCommand } from './serve.js';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from './tokens.js';

/** Every command, in the order `steward --help` lists them. */
export const commands: readonly Command[] = [
  demoCommand,
  initCommand,
  doctorCommand,
  findCommand,
  countCommand,
  auditVerifyCommand,
  contractsListCommand,
  contractsExportCommand,
  contractsCheckCommand,
  contractsDeprecationsCommand,
  contractsVerifyCommand,
  contractsImpactCommand,
  graphCommand,
  flagsListCommand,
  flagsGetCommand,
  flagsSetCommand,
  refsScanCommand,
  refsIncidentsCommand,
  refsRepairCommand,
  refsRehydrateCommand,
  derivedListCommand,
  derivedLintCommand,
  derivedStatusCommand,
  derivedAmplificationCommand,
  driftCheckCommand,
  driftRepairCommand,
  rebuildCommand,
  derivedDualRunCommand,
  derivedCutoverCommand,
  derivedBackfillCommand,
  migratePlanCommand,
  migrateValidateCommand,
  migrateDryRunCommand,
  migrateApproveCommand,
  migrateApplyCommand,
  migrateRollbackCommand,
  migrateStatusCommand,
  migrateHistoryCommand,
  approvalsKeygenCommand,
  approvalsSignCommand,
  approvalsListCommand,
  exampleGenerateCommand,
  serveCommand,
  tokensCreateCommand,
  tokensListCommand,
  tokensRevokeCommand,
];
