import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The default export of a user's file: a `.json` file parsed, a `.ts`/`.mts` file loaded with
 * jiti (no build step for users), a `.js`/`.mjs` file imported. `import ... from 'steward'` in
 * a TypeScript file resolves to the running steward itself (jiti's virtual module), so configs,
 * contracts and migrations work where steward is not installed as a package (a global install,
 * `npx`, the demo's folder) and share this process's module instances. `isExport` recognises the
 * expected value where a file's default export arrives wrapped once more. Throws what the import
 * throws; callers turn it into a message with {@link loadErrorMessage}.
 */
export async function importDefault(file: string, isExport: (value: unknown) => boolean): Promise<unknown> {
  if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'));
  if (/\.m?ts$/.test(file)) {
    const outer = (await (await typeScriptLoader()).import(file, { default: true })) as
      | { default?: unknown }
      | undefined;
    return outer && !isExport(outer) && outer.default !== undefined ? outer.default : outer;
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return mod.default;
}

type Loader = { import(id: string, opts: { default: true }): Promise<unknown> };
let loader: Promise<Loader> | undefined;

/**
 * jiti (pure JavaScript, no native binary) is loaded on the first TypeScript file only, so a
 * command that reads a JSON config never pays for it. Its caches stay off: a config, contract or
 * migration must be read as it is on disk now, and steward writes nothing beside the user's files.
 */
function typeScriptLoader(): Promise<Loader> {
  loader ??= (async () => {
    const [{ createJiti }, steward] = await Promise.all([
      import('jiti'),
      import(new URL(`../index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href),
    ]);
    return createJiti(import.meta.url, {
      virtualModules: { steward },
      fsCache: false,
      moduleCache: false,
      interopDefault: true,
    });
  })();
  return loader;
}

/**
 * Why a user's file could not be loaded, in one short block: the reason, then where
 * (`file:line:column`) with the offending line and a caret when the error says where, for a
 * syntax error as for an error thrown while the file runs.
 */
export function loadErrorMessage(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    message
      .split('\n')[0]
      ?.replace(/^ParseError:\s*/, '')
      .trim() || 'unknown error';
  const where = locate(error, message, file);
  if (!where) return reason;
  const source = sourceLine(file, where.line);
  const pointer =
    source === undefined ? '' : `\n  ${source}\n  ${' '.repeat(Math.max(0, where.column - 1))}^`;
  return `${reason}\n  ${file}:${where.line}:${where.column}${pointer}`;
}

function locate(error: unknown, message: string, file: string): { line: number; column: number } | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(`${message}\n${stack}`);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

function sourceLine(file: string, line: number): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').split('\n')[line - 1];
    return text === undefined ? undefined : text.replace(/\t/g, ' ').slice(0, 200);
  } catch {
    return undefined;
  }
}
