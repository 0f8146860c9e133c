import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

let selfResolveRegistered = false;

/** Makes `import ... from 'steward'` in a user's file resolve to this steward (see self-resolve-hook). */
function registerSelfResolve(): void {
  if (selfResolveRegistered) return;
  selfResolveRegistered = true;
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const selfUrl = new URL(`../index${ext}`, import.meta.url);
  register(new URL(`./self-resolve-hook${ext}`, import.meta.url).href, { data: { selfUrl: selfUrl.href } });
  // tsx compiles a .ts file outside an ESM package to CommonJS, which module hooks do not
  // reach on Node 20; the CommonJS resolver is taught the same one name.
  const cjs = createRequire(import.meta.url)('node:module') as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'steward' ? fileURLToPath(selfUrl) : original.call(this, request, ...rest);
  };
}

/**
 * The default export of a user's file: a `.json` file parsed, a `.ts`/`.mts` file loaded with tsx
 * (no build step for users), a `.js`/`.mjs` file imported. `isExport` recognises the expected
 * value, because a TypeScript file compiled to CommonJS arrives wrapped once more
 * (`{ default: { default: value } }`). Throws what the import throws; callers name the file.
 */
export async function importDefault(file: string, isExport: (value: unknown) => boolean): Promise<unknown> {
  registerSelfResolve();
  if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'));
  if (/\.m?ts$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
    const outer = mod.default as { default?: unknown } | undefined;
    return outer && !isExport(outer) && outer.default !== undefined ? outer.default : outer;
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return mod.default;
}
