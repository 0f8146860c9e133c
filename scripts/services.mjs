#!/usr/bin/env node
/**
 * Installs and starts the real servers the test suite and benchmarks talk to, on loopback only:
 * FerretDB v1.24.2 (SQLite backend) for MongoDB and DynamoDB Local for DynamoDB. Downloads and
 * builds are cached in .cache/ (git-ignored) and redone when missing.
 *
 *   node scripts/services.mjs          start both, print their addresses, run until Ctrl-C
 *   import { startServices } from './services.mjs'   (used by scripts/test.mjs)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// STEWARD_CACHE_DIR moves the cache (the toolchain test uses an empty one).
const cache = process.env.STEWARD_CACHE_DIR ?? join(root, '.cache');
const log = (message) => process.stderr.write(`[services] ${message}\n`);

function run(command, args, cwd) {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

const ferretDbBinary = () => join(cache, 'ferretdb', 'bin', 'ferretdb');
const dynamoLocalReady = () =>
  existsSync(join(cache, 'dynamodb-local', 'native', 'libsqlite4java-linux-amd64.so'));

/** A toolchain the servers need is not installed; the message says what to install. */
export class MissingToolchain extends Error {}

const has = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/**
 * Checks, before anything is built or started, that the toolchains the servers need are here:
 * Go to build FerretDB and Maven to fetch DynamoDB Local (first run only, while .cache/ lacks
 * them), Java 17 to run DynamoDB Local. Throws one {@link MissingToolchain} naming every missing
 * tool and the Debian package that provides it (.ci/run installs them the same way).
 */
export function checkToolchains({ mongodb = true, dynamodb = true } = {}) {
  const missing = [];
  if (
    mongodb &&
    !process.env.STEWARD_TEST_MONGODB_URI &&
    !existsSync(ferretDbBinary()) &&
    !has('go', ['version'])
  )
    missing.push('Go, to build FerretDB v1.24.2 once (Debian: apt-get install golang-go)');
  if (dynamodb && !process.env.STEWARD_TEST_DYNAMODB_ENDPOINT) {
    if (!has('java', ['-version']))
      missing.push('Java 17, to run DynamoDB Local (Debian: apt-get install openjdk-17-jre-headless)');
    if (!dynamoLocalReady() && !has('mvn', ['-v']))
      missing.push('Maven, to fetch DynamoDB Local once (Debian: apt-get install maven)');
  }
  if (missing.length > 0)
    throw new MissingToolchain(
      `the test servers need tools this machine lacks:\n${missing.map((m) => `  - ${m}`).join('\n')}\n` +
        'Install them (or point STEWARD_TEST_MONGODB_URI / STEWARD_TEST_DYNAMODB_ENDPOINT at running servers, ' +
        'or run one store: STEWARD_TEST_STORES=sqlite npm test).',
    );
}

/** Builds FerretDB from the Go module proxy (see scripts/ferretdb/README.md). Returns the binary. */
export function ensureFerretDb() {
  const dir = join(cache, 'ferretdb');
  const binary = ferretDbBinary();
  if (existsSync(binary)) return binary;
  log('building FerretDB v1.24.2 from the Go module proxy (first run only, about 2 minutes)');
  const build = join(dir, 'build');
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  for (const file of ['go.mod', 'go.sum', 'tools.go'])
    copyFileSync(join(root, 'scripts/ferretdb', file), join(build, file));
  run('go', ['mod', 'vendor'], build);
  writeFileSync(join(build, 'vendor/github.com/FerretDB/FerretDB/build/version/version.txt'), 'v1.24.2\n');
  run('go', ['build', '-mod=vendor', '-o', binary, 'github.com/FerretDB/FerretDB/cmd/ferretdb'], build);
  rmSync(build, { recursive: true, force: true });
  return binary;
}

/** Fetches DynamoDB Local and its native library from Maven Central. Returns its folder. */
export function ensureDynamoLocal() {
  const dir = join(cache, 'dynamodb-local');
  const lib = join(dir, 'lib');
  const native = join(dir, 'native');
  if (dynamoLocalReady()) return dir;
  log('fetching DynamoDB Local from Maven Central (first run only)');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(native, { recursive: true });
  run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(root, 'scripts/dynamodb-local/pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${lib}`,
    ],
    root,
  );
  const so = readdirSync(lib).find((f) => f.startsWith('libsqlite4java-linux-amd64') && f.endsWith('.so'));
  if (!so)
    throw new Error('DynamoDB Local: the sqlite4java linux-amd64 library was not among the dependencies');
  copyFileSync(join(lib, so), join(native, 'libsqlite4java-linux-amd64.so'));
  return dir;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, name, timeoutMs = 60_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode} before listening`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000}s`);
}

function startProcess(command, args, logFile) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  const keep = (b) => {
    chunks.push(b);
    if (chunks.length > 200) chunks.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', () => writeFileSync(logFile, Buffer.concat(chunks)));
  return child;
}

/**
 * Starts FerretDB and DynamoDB Local on free loopback ports. Returns the environment variables
 * the tests read and a stop function. A server given by the caller's environment
 * (STEWARD_TEST_MONGODB_URI, STEWARD_TEST_DYNAMODB_ENDPOINT) is used instead of starting one.
 */
export async function startServices({ mongodb = true, dynamodb = true } = {}) {
  checkToolchains({ mongodb, dynamodb });
  const env = {};
  const children = [];
  const logs = join(cache, 'logs');
  mkdirSync(logs, { recursive: true });
  if (mongodb && !process.env.STEWARD_TEST_MONGODB_URI) {
    const binary = ensureFerretDb();
    const port = await freePort();
    const debugPort = await freePort();
    const data = join(cache, 'ferretdb-data', String(port));
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    const child = startProcess(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${data}/`,
        `--listen-addr=127.0.0.1:${port}`,
        '--telemetry=disable',
        `--state-dir=${data}`,
        '--log-level=warn',
        `--debug-addr=127.0.0.1:${debugPort}`,
      ],
      join(logs, 'ferretdb.log'),
    );
    children.push({ child, cleanup: () => rmSync(data, { recursive: true, force: true }) });
    await waitForPort(port, child, 'FerretDB');
    env.STEWARD_TEST_MONGODB_URI = `mongodb://127.0.0.1:${port}/`;
    log(`FerretDB v1.24.2 on ${env.STEWARD_TEST_MONGODB_URI}`);
  }
  if (dynamodb && !process.env.STEWARD_TEST_DYNAMODB_ENDPOINT) {
    const dir = ensureDynamoLocal();
    const port = await freePort();
    const child = startProcess(
      'java',
      [
        `-Djava.library.path=${join(dir, 'native')}`,
        '-cp',
        `${join(dir, 'lib')}/*`,
        'com.amazonaws.services.dynamodbv2.local.main.ServerRunner',
        '-inMemory',
        '-port',
        String(port),
        '-disableTelemetry',
      ],
      join(logs, 'dynamodb-local.log'),
    );
    children.push({ child, cleanup: () => {} });
    await waitForPort(port, child, 'DynamoDB Local');
    env.STEWARD_TEST_DYNAMODB_ENDPOINT = `http://127.0.0.1:${port}`;
    log(`DynamoDB Local on ${env.STEWARD_TEST_DYNAMODB_ENDPOINT}`);
  }
  const stop = async () => {
    for (const { child, cleanup } of children) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      cleanup();
    }
  };
  return { env, stop };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { env, stop } = await startServices();
  // The same servers serve the benchmarks: print their variables too.
  for (const [k, v] of Object.entries(env)) {
    process.stdout.write(`export ${k}=${v}\nexport ${k.replace('_TEST_', '_BENCH_')}=${v}\n`);
  }
  process.stdout.write('# running; Ctrl-C stops both\n');
  const shutdown = () => stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30);
}
