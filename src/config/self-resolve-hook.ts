/**
 * A module resolve hook that lets a config file `import { defineConfig } from 'steward'` even
 * where steward is not installed as a package (a global install, `npx`, the demo's temp folder):
 * the specifier resolves to the running steward itself.
 */
type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

let selfUrl = '';

export function initialize(data: { selfUrl: string }): void {
  selfUrl = data.selfUrl;
}

export async function resolve(
  specifier: string,
  context: unknown,
  next: Next,
): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'steward') return { url: selfUrl, shortCircuit: true };
  return next(specifier, context);
}
