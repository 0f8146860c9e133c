/**
 * Long-running property checks, by name: `npm run fuzz -- <target> [--pairs N] [--seed S]`.
 * Each target is a function of its options that prints its figures and throws on a failure;
 * `npm run fuzz` alone runs every target with its default size.
 *
 *   npm run fuzz -- compatibility --pairs 1000000
 */
import { compatibilityTarget } from './compatibility-target.js';

export interface FuzzOptions {
  readonly pairs?: number;
  readonly seed?: number;
}

const targets: Record<string, (options: FuzzOptions) => Promise<void>> = {
  compatibility: compatibilityTarget,
};

function parse(argv: readonly string[]): { names: string[]; options: FuzzOptions } {
  const names: string[] = [];
  const options: { pairs?: number; seed?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--pairs') options.pairs = Number(argv[++i]);
    else if (arg === '--seed') options.seed = Number(argv[++i]);
    else names.push(arg);
  }
  return { names, options };
}

const { names, options } = parse(process.argv.slice(2));
const unknown = names.filter((n) => !(n in targets));
if (unknown.length > 0) {
  console.error(`unknown fuzz target(s): ${unknown.join(', ')}; targets: ${Object.keys(targets).join(', ')}`);
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(targets)) {
  try {
    await (targets[name] as (o: FuzzOptions) => Promise<void>)(options);
  } catch (error) {
    console.error(`✗ ${name}: ${(error as Error).message}`);
    process.exit(1);
  }
}
