#!/usr/bin/env node
/**
 * Installs and starts the real servers the test suite and benchmarks talk to, on loopback only:
 * FerretDB v1.24.2 (SQLite backend) for MongoDB and DynamoDB Local for DynamoDB. Downloads and
 * builds are cached in .cache/ (git-ignored) and redone when missing. Two more MongoDB-wire
 * servers start on request (docs/mongodb-targets.md): mongo-java-server 1.46.0 (Maven Central,
 * in memory; the second MongoDB target of the benchmarks and the conformance suite) and FerretDB
 * v1.24.2 on PostgreSQL (Debian's postgresql, a throwaway cluster in a temporary folder).
 *
 *   node scripts/services.mjs          start both, print their addresses, run until Ctrl-C
 *   node scripts/services.mjs --with mongo-java-server [--with ferretdb-postgresql]
 *                                      the same, and the named extra targets
 *   import { startServices } from './services.mjs'   (used by scripts/test.mjs)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
 * The extra MongoDB-wire targets, by the name `--with` and `startServices({ extra })` take, and
 * the variable that carries each one's URI (the tests read STEWARD_TEST_MONGO_JAVA_SERVER_URI).
 */
export const extraTargets = {
  'mongo-java-server': 'STEWARD_TEST_MONGO_JAVA_SERVER_URI',
  'ferretdb-postgresql': 'STEWARD_TEST_FERRETDB_POSTGRESQL_URI',
};

const mongoJavaServerReady = () =>
  existsSync(join(cache, 'mongo-java-server', 'classes', 'StewardMongoJavaServer.class'));

/** The folder of Debian's PostgreSQL server programs (initdb, pg_ctl), newest version first. */
function postgresBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : undefined;
}

/** What the extra targets need that is missing, as lines for {@link MissingToolchain}. */
function missingForExtra(extra) {
  const missing = [];
  if (extra.includes('mongo-java-server') && !process.env.STEWARD_TEST_MONGO_JAVA_SERVER_URI) {
    if (!has('java', ['-version']))
      missing.push('Java 17, to run mongo-java-server (Debian: apt-get install openjdk-17-jre-headless)');
    if (!mongoJavaServerReady() && !has('mvn', ['-v']))
      missing.push('Maven, to fetch mongo-java-server once (Debian: apt-get install maven)');
    if (!mongoJavaServerReady() && !has('javac', ['-version']))
      missing.push(
        'a Java 17 compiler, to build the mongo-java-server launcher once (Debian: apt-get install openjdk-17-jdk-headless)',
      );
  }
  if (extra.includes('ferretdb-postgresql') && !process.env.STEWARD_TEST_FERRETDB_POSTGRESQL_URI) {
    if (!postgresBin())
      missing.push('PostgreSQL, for FerretDB on PostgreSQL (Debian: apt-get install postgresql)');
    if (!existsSync(ferretDbBinary()) && !has('go', ['version']))
      missing.push('Go, to build FerretDB v1.24.2 once (Debian: apt-get install golang-go)');
  }
  return missing;
}

/**
 * Checks, before anything is built or started, that the toolchains the servers need are here:
 * Go to build FerretDB and Maven to fetch DynamoDB Local (first run only, while .cache/ lacks
 * them), Java 17 to run DynamoDB Local. Throws one {@link MissingToolchain} naming every missing
 * tool and the Debian package that provides it (.ci/run installs them the same way).
 */
export function checkToolchains({ mongodb = true, dynamodb = true, extra = [] } = {}) {
  const missing = missingForExtra(extra);
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

/**
 * Fetches mongo-java-server from Maven Central and compiles its launcher
 * (scripts/mongo-java-server/StewardMongoJavaServer.java). Returns its folder.
 */
export function ensureMongoJavaServer() {
  const dir = join(cache, 'mongo-java-server');
  if (mongoJavaServerReady()) return dir;
  log('fetching mongo-java-server 1.46.0 from Maven Central (first run only)');
  rmSync(dir, { recursive: true, force: true });
  const source = join(root, 'scripts/mongo-java-server');
  run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(source, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(dir, 'lib')}`,
    ],
    root,
  );
  run(
    'javac',
    [
      '--release',
      '17',
      '-cp',
      `${join(dir, 'lib')}/*`,
      '-d',
      join(dir, 'classes'),
      join(source, 'StewardMongoJavaServer.java'),
    ],
    root,
  );
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

/** Waits for a started server to listen; one that does not is killed before the error is thrown. */
async function listening(port, child, name) {
  try {
    await waitForPort(port, child, name);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
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

/** Runs a PostgreSQL program as the `postgres` user when we are root (PostgreSQL refuses root). */
function asPostgresUser(command, args) {
  const root = process.getuid?.() === 0;
  return root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port, trusting local
 * connections, with fsync off (its data is thrown away with it). Returns its URL base and stop.
 */
async function startPostgres() {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'steward-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  const pg = (program, args) => {
    const [command, full] = asPostgresUser(join(bin, program), args);
    execFileSync(command, full, { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  pg('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'postgresql.log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  const stop = () => {
    try {
      pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const [command, full] = asPostgresUser(join(bin, 'createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      'ferretdb',
    ]);
    execFileSync(command, full, { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/ferretdb`, stop };
}

/** Starts FerretDB on a free port with the given backend flags. Returns its child and URI. */
async function startFerretDb(backendArgs, stateDir, logName) {
  const port = await freePort();
  const debugPort = await freePort();
  const child = startProcess(
    ensureFerretDb(),
    [
      ...backendArgs,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      `--state-dir=${stateDir}`,
      '--log-level=warn',
      `--debug-addr=127.0.0.1:${debugPort}`,
    ],
    join(cache, 'logs', logName),
  );
  await listening(port, child, 'FerretDB');
  return { child, uri: `mongodb://127.0.0.1:${port}/` };
}

/** Starts mongo-java-server on a free port. Returns its child and URI. */
async function startMongoJavaServer() {
  const dir = ensureMongoJavaServer();
  const port = await freePort();
  const child = startProcess(
    'java',
    ['-cp', `${join(dir, 'classes')}:${join(dir, 'lib')}/*`, 'StewardMongoJavaServer', String(port)],
    join(cache, 'logs', 'mongo-java-server.log'),
  );
  await listening(port, child, 'mongo-java-server');
  return { child, uri: `mongodb://127.0.0.1:${port}/` };
}

/**
 * Starts FerretDB and DynamoDB Local on free loopback ports, and the extra MongoDB-wire targets
 * named in `extra` (keys of {@link extraTargets}). Returns the environment variables the tests
 * read and a stop function. A server given by the caller's environment (STEWARD_TEST_MONGODB_URI,
 * STEWARD_TEST_DYNAMODB_ENDPOINT, an extra target's variable) is used instead of starting one.
 * If one server fails to start, those already started are stopped before the error is thrown.
 */
export async function startServices({ mongodb = true, dynamodb = true, extra = [] } = {}) {
  checkToolchains({ mongodb, dynamodb, extra });
  const env = {};
  const children = [];
  mkdirSync(join(cache, 'logs'), { recursive: true });
  const stop = async () => {
    for (const { child, cleanup } of [...children].reverse()) {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      cleanup();
    }
  };
  try {
    if (mongodb && !process.env.STEWARD_TEST_MONGODB_URI) {
      const data = join(cache, 'ferretdb-data', `sqlite-${process.pid}-${Date.now()}`);
      mkdirSync(data, { recursive: true });
      children.push({ cleanup: () => rmSync(data, { recursive: true, force: true }) });
      const { child, uri } = await startFerretDb(
        ['--handler=sqlite', `--sqlite-url=file:${data}/`],
        data,
        'ferretdb.log',
      );
      children.push({ child, cleanup: () => {} });
      env.STEWARD_TEST_MONGODB_URI = uri;
      log(`FerretDB v1.24.2 on ${uri}`);
    }
    if (dynamodb && !process.env.STEWARD_TEST_DYNAMODB_ENDPOINT) {
      const child = await startDynamoLocal();
      children.push({ child: child.child, cleanup: () => {} });
      env.STEWARD_TEST_DYNAMODB_ENDPOINT = child.endpoint;
      log(`DynamoDB Local on ${child.endpoint}`);
    }
    if (extra.includes('mongo-java-server') && !process.env.STEWARD_TEST_MONGO_JAVA_SERVER_URI) {
      const { child, uri } = await startMongoJavaServer();
      children.push({ child, cleanup: () => {} });
      env.STEWARD_TEST_MONGO_JAVA_SERVER_URI = uri;
      log(`mongo-java-server 1.46.0 (in memory) on ${uri}`);
    }
    if (extra.includes('ferretdb-postgresql') && !process.env.STEWARD_TEST_FERRETDB_POSTGRESQL_URI) {
      const postgres = await startPostgres();
      children.push({ cleanup: postgres.stop });
      const state = mkdtempSync(join(tmpdir(), 'steward-ferretdb-pg-'));
      children.push({ cleanup: () => rmSync(state, { recursive: true, force: true }) });
      const { child, uri } = await startFerretDb(
        ['--handler=postgresql', `--postgresql-url=${postgres.url}`],
        state,
        'ferretdb-postgresql.log',
      );
      children.push({ child, cleanup: () => {} });
      env.STEWARD_TEST_FERRETDB_POSTGRESQL_URI = uri;
      log(`FerretDB v1.24.2 on PostgreSQL on ${uri}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, stop };
}

/** Starts DynamoDB Local (in memory) on a free port. Returns its child and endpoint. */
async function startDynamoLocal() {
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
    join(cache, 'logs', 'dynamodb-local.log'),
  );
  await listening(port, child, 'DynamoDB Local');
  return { child, endpoint: `http://127.0.0.1:${port}` };
}

/** `--with <target>` flags of the command line, checked against {@link extraTargets}. */
function extraFromArgs(args) {
  const extra = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i] === '--with' ? args[++i] : undefined;
    if (!name || !(name in extraTargets)) {
      process.stderr.write(
        `usage: node scripts/services.mjs [--with ${Object.keys(extraTargets).join('|')}]...\n`,
      );
      process.exit(2);
    }
    extra.push(name);
  }
  return extra;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { env, stop } = await startServices({ extra: extraFromArgs(process.argv.slice(2)) });
  const extraVariables = Object.values(extraTargets);
  // The same servers serve the benchmarks: print their variables too. The benchmarks take one
  // MongoDB target at a time (STEWARD_BENCH_MONGODB_URI), so an extra target is printed as the
  // command prefix that points them at it.
  for (const [k, v] of Object.entries(env)) {
    if (extraVariables.includes(k)) {
      process.stdout.write(
        `export ${k}=${v}\n# benchmarks on it: STEWARD_BENCH_MONGODB_URI=${v} npm run bench -- ...\n`,
      );
    } else {
      process.stdout.write(`export ${k}=${v}\nexport ${k.replace('_TEST_', '_BENCH_')}=${v}\n`);
    }
  }
  process.stdout.write('# running; Ctrl-C stops them all\n');
  const shutdown = () => stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30);
}
