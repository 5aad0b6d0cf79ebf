/*
 * Speed of the event store (DESIGN.md §2): plain single-row INSERTs vs. appends to new streams vs.
 * read-then-append commands, against real PostgreSQL, at 1 and 8 concurrent writers, in one run.
 *
 *   DATABASE_URL   default postgres://postgres@127.0.0.1:5432/aitbc_bench (its name must contain "bench":
 *                  schema public is dropped and recreated)
 *   BENCH_SECONDS  measured seconds per case, default 5 (after a 1 s warm-up that is not counted)
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, cpus, platform, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { EventRegistry, EventStore, NO_STREAM, NewEvent, RecordedEvent } from '@aitbc/event-store';
import { loadConfig } from '../apps/coordinator/src/config';
import { dataSourceOptions } from '../apps/coordinator/src/database/data-source-options';
import { runMigrations } from '../apps/coordinator/src/database/migrate';
import { databaseNameOf, formatRow, percentile, quoteIdent, round, withClient, withDatabase } from './bench-support';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/aitbc_bench';
const TARGETS = { appendVsInsert: 0.6, commandVsInsert: 0.45 } as const;
const SEED_PARALLELISM = 8;

export interface BenchSettings {
  url: string;
  secondsPerCase: number;
  warmupSeconds: number;
  concurrencies: readonly number[];
  /** streams pre-created for the read-then-append case, split into disjoint per-writer subsets */
  commandStreams: number;
  eventsPerSeededStream: number;
}

export type CaseName = 'plain_insert' | 'append_new_stream' | 'read_then_append';

export interface CaseResult {
  case: CaseName;
  writers: number;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface RatioResult {
  writers: number;
  appendVsInsert: number;
  commandVsInsert: number;
  appendTarget: number;
  commandTarget: number;
  appendMeetsTarget: boolean;
  commandMeetsTarget: boolean;
}

export interface PostgresInfo {
  serverVersion: string;
  version: string;
  synchronousCommit: string;
  fsync: string;
}

export interface EventStoreBenchResult {
  bench: 'event-store';
  startedAt: string;
  machine: { nproc: number; cpuModel: string; totalMemoryGiB: number; platform: string; node: string };
  postgres: PostgresInfo;
  settings: Omit<BenchSettings, 'url'> & { database: string };
  cases: CaseResult[];
  ratios: RatioResult[];
}

/** A writer's unit of work, run in a loop on the writer's own connection (autocommit). */
type Op = (db: PoolClient, writer: number, iteration: number) => Promise<unknown>;

interface CaseSpec {
  name: CaseName;
  label: string;
  prepare: (pool: Pool, writers: number, settings: BenchSettings) => Promise<Op>;
}

interface BenchData {
  jobId: string;
  amount: number;
  unit: string;
  sequence: number;
}

type BenchEvent = RecordedEvent<'BenchEvent', BenchData>;

interface CommandState {
  count: number;
  total: number;
}

const store = new EventStore(new EventRegistry([{ type: 'BenchEvent' }]));

// ---------------------------------------------------------------------------------------------
// the three cases

const PLAIN_INSERT_SQL = 'INSERT INTO bench_plain (stream_id, data) VALUES ($1, $2)';

const CASES: readonly CaseSpec[] = [
  { name: 'plain_insert', label: '(a) plain INSERT', prepare: () => Promise.resolve(plainInsert) },
  { name: 'append_new_stream', label: '(b) append, new stream', prepare: () => Promise.resolve(appendNewStream) },
  { name: 'read_then_append', label: '(c) read-then-append', prepare: prepareCommand },
];

function payload(sequence: number): BenchData {
  return { jobId: randomUUID(), amount: 42, unit: 'gpu_second', sequence };
}

function benchEvent(sequence: number): NewEvent<'BenchEvent', BenchData> {
  return { type: 'BenchEvent', data: payload(sequence) };
}

/** (a) Named, like the store's own statements, so both sides run prepared statements. */
function plainInsert(db: PoolClient, _writer: number, iteration: number): Promise<unknown> {
  return db.query({
    name: 'bench_plain_insert',
    text: PLAIN_INSERT_SQL,
    values: [`bench-${randomUUID()}`, JSON.stringify(payload(iteration))],
  });
}

/** (b) */
function appendNewStream(db: PoolClient, _writer: number, iteration: number): Promise<unknown> {
  return store.append(db, `bench-${randomUUID()}`, [benchEvent(iteration)], { expectedVersion: NO_STREAM });
}

/** (c) Fresh streams per case, so the 8-writer case does not read streams the 1-writer case grew. */
async function prepareCommand(pool: Pool, writers: number, settings: BenchSettings): Promise<Op> {
  const ids = Array.from({ length: settings.commandStreams }, () => `account-${randomUUID()}`);
  await seedStreams(pool, ids, settings.eventsPerSeededStream);
  await pool.query('ANALYZE es_streams, es_events');
  const subsets = partition(ids, writers);
  return (db, writer, iteration) => runCommand(db, subsets[writer][iteration % subsets[writer].length]);
}

async function runCommand(db: PoolClient, streamId: string): Promise<void> {
  const { state, version } = await store.aggregateStream<CommandState, BenchEvent>(db, streamId, {
    initialState: () => ({ count: 0, total: 0 }),
    evolve: (current, event) => ({ count: current.count + 1, total: current.total + event.data.amount }),
  });
  await store.append(db, streamId, [benchEvent(state.count + 1)], { expectedVersion: version });
}

async function seedStreams(pool: Pool, ids: readonly string[], eventsPerStream: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++];
      const events = Array.from({ length: eventsPerStream }, (_, index) => benchEvent(index + 1));
      await store.append(pool, id, events, { expectedVersion: NO_STREAM });
    }
  };
  await Promise.all(Array.from({ length: SEED_PARALLELISM }, () => worker()));
}

/** Writer `w` gets every `writers`-th id starting at `w`: disjoint subsets, so no conflicts. */
function partition<T>(items: readonly T[], parts: number): T[][] {
  const subsets = Array.from({ length: parts }, (): T[] => []);
  items.forEach((item, index) => subsets[index % parts].push(item));
  return subsets;
}

// ---------------------------------------------------------------------------------------------
// running one case: N writers, each a loop on its own connection, for warm-up + measured time

interface Samples {
  /** performance.now() at each op's completion */
  ends: number[];
  latenciesMs: number[];
}

interface RunControl {
  stopped: boolean;
  error: Error | undefined;
}

async function writerLoop(db: PoolClient, writer: number, op: Op, control: RunControl, samples: Samples) {
  for (let iteration = 0; !control.stopped; iteration++) {
    const start = performance.now();
    try {
      await op(db, writer, iteration);
    } catch (error) {
      control.error ??= error instanceof Error ? error : new Error(String(error));
      control.stopped = true;
      return;
    }
    const end = performance.now();
    samples.ends.push(end);
    samples.latenciesMs.push(end - start);
  }
}

async function runCase(pool: Pool, name: CaseName, writers: number, op: Op, settings: BenchSettings) {
  await pool.query('CHECKPOINT');
  const clients = await Promise.all(Array.from({ length: writers }, () => pool.connect()));
  const control: RunControl = { stopped: false, error: undefined };
  const samples = clients.map((): Samples => ({ ends: [], latenciesMs: [] }));
  try {
    const loops = clients.map((client, writer) => writerLoop(client, writer, op, control, samples[writer]));
    await sleep(settings.warmupSeconds * 1000);
    const windowStart = performance.now();
    await sleep(settings.secondsPerCase * 1000);
    const windowEnd = performance.now();
    control.stopped = true;
    await Promise.all(loops);
    if (control.error !== undefined) {
      throw control.error;
    }
    return summarize(name, writers, samples, windowStart, windowEnd);
  } finally {
    clients.forEach((client) => client.release());
  }
}

function summarize(name: CaseName, writers: number, samples: Samples[], from: number, to: number): CaseResult {
  const latencies: number[] = [];
  for (const { ends, latenciesMs } of samples) {
    ends.forEach((end, index) => {
      if (end >= from && end <= to) {
        latencies.push(latenciesMs[index]);
      }
    });
  }
  latencies.sort((a, b) => a - b);
  const seconds = (to - from) / 1000;
  return {
    case: name,
    writers,
    ops: latencies.length,
    seconds: round(seconds, 3),
    opsPerSecond: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
  };
}

async function runAllCases(pool: Pool, settings: BenchSettings): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const writers of settings.concurrencies) {
    for (const spec of CASES) {
      process.stderr.write(`event-store bench: ${spec.label} with ${writers} writer(s)…\n`);
      const op = await spec.prepare(pool, writers, settings);
      results.push(await runCase(pool, spec.name, writers, op, settings));
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// database preparation: refuse non-bench databases, create if missing, fresh schema, migrations

async function ensureDatabase(url: string, name: string): Promise<void> {
  await withClient(withDatabase(url, 'postgres'), async (admin) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    }
  });
}

async function resetSchema(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  });
}

async function migrate(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url })));
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function createPlainTable(url: string): Promise<void> {
  await withClient(url, (client) =>
    client.query(`CREATE TABLE bench_plain (
      id bigserial PRIMARY KEY,
      stream_id text NOT NULL,
      data jsonb NOT NULL
    )`),
  );
}

async function prepareDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  if (!name.toLowerCase().includes('bench')) {
    throw new Error(`refusing to benchmark database "${name}": its name must contain "bench" (it is wiped)`);
  }
  await ensureDatabase(url, name);
  await resetSchema(url);
  await migrate(url);
  await createPlainTable(url);
}

async function readPostgresInfo(pool: Pool): Promise<PostgresInfo> {
  const show = async (setting: string): Promise<string> => {
    const { rows } = await pool.query<Record<string, string>>(`SHOW ${setting}`);
    return rows[0][setting];
  };
  const { rows } = await pool.query<{ version: string }>('SELECT version()');
  return {
    serverVersion: await show('server_version'),
    version: rows[0].version,
    synchronousCommit: await show('synchronous_commit'),
    fsync: await show('fsync'),
  };
}

// ---------------------------------------------------------------------------------------------
// settings, result and report

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number of seconds (got "${raw}")`);
  }
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  return {
    url: env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL,
    secondsPerCase: positiveNumber(env, 'BENCH_SECONDS', 5),
    warmupSeconds: positiveNumber(env, 'BENCH_WARMUP_SECONDS', 1),
    concurrencies: [1, 8],
    commandStreams: 2000,
    eventsPerSeededStream: 3,
  };
}

function ratiosFor(cases: readonly CaseResult[], writers: number): RatioResult {
  const rate = (name: CaseName) => cases.find((c) => c.case === name && c.writers === writers)?.opsPerSecond ?? 0;
  const plain = rate('plain_insert');
  const appendVsInsert = round(rate('append_new_stream') / plain, 3);
  const commandVsInsert = round(rate('read_then_append') / plain, 3);
  return {
    writers,
    appendVsInsert,
    commandVsInsert,
    appendTarget: TARGETS.appendVsInsert,
    commandTarget: TARGETS.commandVsInsert,
    appendMeetsTarget: appendVsInsert >= TARGETS.appendVsInsert,
    commandMeetsTarget: commandVsInsert >= TARGETS.commandVsInsert,
  };
}

function buildResult(
  settings: BenchSettings,
  startedAt: Date,
  postgres: PostgresInfo,
  cases: CaseResult[],
): EventStoreBenchResult {
  const { url, ...rest } = settings;
  return {
    bench: 'event-store',
    startedAt: startedAt.toISOString(),
    machine: {
      nproc: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemoryGiB: round(totalmem() / 2 ** 30, 1),
      platform: platform(),
      node: process.version,
    },
    postgres,
    settings: { ...rest, database: databaseNameOf(url) },
    cases,
    ratios: settings.concurrencies.map((writers) => ratiosFor(cases, writers)),
  };
}

function ratioCell(result: CaseResult, ratios: readonly RatioResult[]): [string, string] {
  const ratio = ratios.find((r) => r.writers === result.writers);
  if (ratio === undefined || result.case === 'plain_insert') {
    return ['1.000', ''];
  }
  const [value, target] =
    result.case === 'append_new_stream'
      ? [ratio.appendVsInsert, ratio.appendTarget]
      : [ratio.commandVsInsert, ratio.commandTarget];
  return [value.toFixed(3), `≥ ${target} ${value >= target ? 'ok' : 'MISSED'}`];
}

function printTable(result: EventStoreBenchResult): void {
  const widths = [24, 7, 10, 9, 9, 9, 15];
  const header = ['case', 'writers', 'ops/s', 'p50 ms', 'p99 ms', 'vs (a)', 'target'];
  console.log(formatRow(header, widths));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of result.cases) {
    const label = CASES.find((spec) => spec.name === row.case)?.label ?? row.case;
    const [ratio, target] = ratioCell(row, result.ratios);
    const cells = [label, String(row.writers), row.opsPerSecond.toFixed(1), row.p50Ms.toFixed(2), row.p99Ms.toFixed(2)];
    console.log(formatRow([...cells, ratio, target], widths));
  }
}

function printReport(result: EventStoreBenchResult): void {
  const { machine, postgres, settings } = result;
  console.log('');
  console.log(`Event store benchmark — ${result.startedAt}`);
  console.log(
    `machine: ${machine.nproc} cpu(s) (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, node ${machine.node}`,
  );
  console.log(`postgres: ${postgres.version}`);
  console.log(`durability: synchronous_commit=${postgres.synchronousCommit}, fsync=${postgres.fsync}`);
  console.log(
    `method: ${settings.warmupSeconds} s warm-up + ${settings.secondsPerCase} s measured per case; ` +
      `(c) over ${settings.commandStreams} streams seeded with ${settings.eventsPerSeededStream} events`,
  );
  console.log('');
  printTable(result);
  console.log('');
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

/** Runs the whole benchmark once, prints the table and the `BENCH_RESULT` line, returns the numbers. */
export async function runEventStoreBench(env: NodeJS.ProcessEnv = process.env): Promise<EventStoreBenchResult> {
  const settings = readSettings(env);
  const startedAt = new Date();
  await prepareDatabase(settings.url);
  const pool = new Pool({
    connectionString: settings.url,
    max: Math.max(...settings.concurrencies, SEED_PARALLELISM),
    application_name: 'aitbc-bench',
  });
  try {
    const postgres = await readPostgresInfo(pool);
    const cases = await runAllCases(pool, settings);
    const result = buildResult(settings, startedAt, postgres, cases);
    printReport(result);
    return result;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  runEventStoreBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
