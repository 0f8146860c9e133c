import type { Command } from '../command.js';
import { auditVerifyCommand } from './audit-verify.js';
import { contractsExportCommand } from './contracts-export.js';
import { contractsListCommand } from './contracts-list.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { exampleGenerateCommand } from './example-generate.js';
import { countCommand, findCommand } from './find.js';
import { initCommand } from './init.js';

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
  exampleGenerateCommand,
];
