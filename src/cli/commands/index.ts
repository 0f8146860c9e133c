import type { Command } from '../command.js';
import { doctorCommand } from './doctor.js';
import { countCommand, findCommand } from './find.js';
import { initCommand } from './init.js';

/** Every command, in the order `steward --help` lists them. */
export const commands: readonly Command[] = [initCommand, doctorCommand, findCommand, countCommand];
