/*
 * The coordinator over HTTP (DESIGN.md §6), against the real process in one run:
 *
 *   1. `POST /v1/jobs` throughput at 32 keep-alive connections, against plain single-row INSERTs from Node
 *      into the same PostgreSQL at the same concurrency (target ≥ 0.5×), and errors at 256 connections (0);
 *   2. dispatch latency: submit → the waiting long-poll of a registered miner returns the job
 *      (p50 ≤ 5 ms, p99 ≤ 25 ms);
 *   3. the full cycle with an instant runner, submit → poll → result → read (p50 ≤ 15 ms), then again with
 *      10,000 jobs queued that the miner cannot run (p50 ≤ 20 ms);
 *   4. the coordinator's peak RSS over all of it (≤ 250 MB).
 *
 * The coordinator is `node dist/apps/coordinator/src/main.js`, started as a separate process (LOG_LEVEL=warn)
 * on a free port of 127.0.0.1, with fixed bench keys, a freshly created database and a flushed Redis db.
 *
 *   HTTP_BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/aitbc_http_bench (its name must
 *                            contain "bench": the database is dropped and recreated)
 *   HTTP_BENCH_REDIS_URL     default redis://127.0.0.1:6379/14 (FLUSHDB first; a db number other than 0 is required)
 *   BENCH_SECONDS            measured seconds of the 32-connection cases, default 10
 *   BENCH_WARMUP_SECONDS     warm-up before each throughput case, not counted, default 2
 *   BENCH_HIGH_SECONDS       measured seconds at 256 connections, default 5
 *   BENCH_DISPATCH_JOBS      measured dispatches, default 1000
 *   BENCH_CYCLES             measured full cycles per queue size, default 500
 *   BENCH_QUEUED_JOBS        jobs nobody can run queued before the second full-cycle case, default 10000
 *   BENCH_POLL_SETTLE_MS     pause between sending a long-poll and submitting the job it waits for, default 20
 *   DATABASE_POOL_SIZE       passed on to the coordinator (its default is 20)
 *   HTTP_BENCH_NODE_OPTIONS  NODE_OPTIONS of the coordinator, e.g. "--max-old-space-size=128" (Node refuses
 *                            --cpu-prof there; "--require ./probe.js" can start the inspector's profiler)
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import {
  databaseNameOf,
  fixed,
  latencyStats,
  LatencyStats,
  positiveNumber,
  printTable,
  round,
  withClient,
} from './bench-support';
import {
  builtAt,
  coordinatorMainJs,
  CoordinatorProcess,
  CpuUsage,
  cpuSnapshot,
  CpuSnapshot,
  cpuUsageBetween,
  expectStatus,
  flushRedis,
  freePort,
  GitInfo,
  gitInfo,
  guardChild,
  HOST,
  benchCoordinatorEnv,
  HttpResponse,
  json,
  machineInfo,
  MachineInfo,
  mb,
  OUTPUT_TAIL_CHARS,
  PostgresInfo,
  readPostgresInfo,
  recreateDatabase,
  redisDbOf,
  RSS_SAMPLE_MS,
  RssSampler,
  send,
  statusKb,
  Target,
  waitUntilReady,
} from './coordinator-support';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/aitbc_http_bench';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/14';

const KEYS = {
  client: 'client-key-for-http-bench-0001',
  miner: 'miner-key-for-http-bench-0001',
  admin: 'admin-key-for-http-bench-0001',
} as const;
const MINER_NAME = 'bench-miner';
/** fixed, so that receipts are signed as in production once the receipts module signs them */

export const TARGETS = {
  submitVsInsert: 0.5,
  errorsAt256: 0,
  dispatchP50Ms: 5,
  dispatchP99Ms: 25,
  cycleP50Ms: 15,
  cycleQueuedP50Ms: 20,
  rssMb: 250,
} as const;

const SEQUENTIAL_WARMUP_OPS = 25;
const HEARTBEAT_EVERY_MS = 10_000;
const SETTLE_TIMEOUT_MS = 60_000;

export interface HttpBenchSettings {
  databaseUrl: string;
  redisUrl: string;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  highConnections: number;
  highSeconds: number;
  dispatchJobs: number;
  cycles: number;
  queuedJobs: number;
  pollSettleMs: number;
  /** DATABASE_POOL_SIZE given to the coordinator; null → its default */
  coordinatorPoolSize: number | null;
  coordinatorNodeOptions: string | null;
}

export interface ThroughputResult {
  case: 'plain_insert' | 'submit' | 'submit_high' | 'queue_fill';
  connections: number;
  seconds: number;
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** failed operations over warm-up and measured window together */
  errors: number;
  errorSamples: string[];
  cpu: CpuUsage;
}

export interface DispatchResult extends LatencyStats {
  pollSettleMs: number;
  cpu: CpuUsage;
}

export interface CycleResult extends LatencyStats {
  queuedJobs: number;
  steps: Record<'submit' | 'poll' | 'result' | 'read', LatencyStats>;
  cpu: CpuUsage;
}

export interface TargetCheck {
  name: string;
  value: number;
  target: string;
  meets: boolean;
}

export interface HttpBenchResult {
  bench: 'http';
  startedAt: string;
  /** the checkout at the time of the run (modifiedFiles: tracked files changed since that commit) */
  git: GitInfo;
  coordinatorBuiltAt: string;
  machine: MachineInfo;
  postgres: PostgresInfo;
  coordinator: { pid: number; poolSize: number; exit: string };
  settings: Omit<HttpBenchSettings, 'databaseUrl' | 'redisUrl'> & { database: string; redisDb: number };
  plainInsert: ThroughputResult;
  submit: ThroughputResult;
  submitHigh: ThroughputResult;
  queueFill: ThroughputResult;
  submitVsInsert: number;
  dispatch: DispatchResult;
  cycle: CycleResult;
  cycleQueued: CycleResult;
  rss: { peakSampledMb: number; vmHwmMb: number; samples: number; peakByPhaseMb: Record<string, number> };
  targets: TargetCheck[];
}

// ---------------------------------------------------------------------------------------------
// settings

export function readSettings(env: NodeJS.ProcessEnv = process.env): HttpBenchSettings {
  return {
    databaseUrl: env.HTTP_BENCH_DATABASE_URL?.trim() || DEFAULT_DATABASE_URL,
    redisUrl: env.HTTP_BENCH_REDIS_URL?.trim() || DEFAULT_REDIS_URL,
    seconds: positiveNumber(env, 'BENCH_SECONDS', 10),
    warmupSeconds: positiveNumber(env, 'BENCH_WARMUP_SECONDS', 2),
    connections: 32,
    highConnections: 256,
    highSeconds: positiveNumber(env, 'BENCH_HIGH_SECONDS', 5),
    dispatchJobs: positiveNumber(env, 'BENCH_DISPATCH_JOBS', 1000, true),
    cycles: positiveNumber(env, 'BENCH_CYCLES', 500, true),
    queuedJobs: positiveNumber(env, 'BENCH_QUEUED_JOBS', 10_000, true),
    pollSettleMs: positiveNumber(env, 'BENCH_POLL_SETTLE_MS', 20),
    coordinatorPoolSize: env.DATABASE_POOL_SIZE?.trim() ? positiveNumber(env, 'DATABASE_POOL_SIZE', 20, true) : null,
    coordinatorNodeOptions: env.HTTP_BENCH_NODE_OPTIONS?.trim() || null,
  };
}

// ---------------------------------------------------------------------------------------------
// the coordinator process and the requests of the simulated parties

function coordinatorEnv(settings: HttpBenchSettings, port: number): NodeJS.ProcessEnv {
  // a throughput bench is one client: per-role rate limits would measure the limiter, not the coordinator
  return benchCoordinatorEnv({
    port,
    databaseUrl: settings.databaseUrl,
    redisUrl: settings.redisUrl,
    keys: KEYS,
    minerKeyName: 'bench-rig',
    poolSize: settings.coordinatorPoolSize,
    nodeOptions: settings.coordinatorNodeOptions,
  });
}

const clientHeaders = { 'x-api-key': KEYS.client };
const minerHeaders = { 'x-api-key': KEYS.miner, 'x-miner-id': MINER_NAME };

/** A small inference job, as the seed's clients send them; its model makes it a models constraint. */
function jobBody(sequence: number): Record<string, unknown> {
  return {
    payload: {
      type: 'inference',
      model: 'llama3.2:latest',
      prompt: `Summarise benchmark request ${sequence} in one sentence.`,
      options: { temperature: 0.2, num_predict: 64 },
    },
    ttl_seconds: 3600,
  };
}

/** A job no miner can run: it stays queued, ahead of every later job, for the whole run. */
function blockerBody(sequence: number): Record<string, unknown> {
  return {
    payload: { type: 'inference', prompt: `queued ${sequence}` },
    constraints: { models: ['nobody-has-this'] },
    ttl_seconds: 86_400,
  };
}

function minerCapabilities(): Record<string, unknown> {
  return {
    gpus: [{ name: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', memory_mb: 24564 }],
    cuda: '12.4',
    models: ['llama3.2:latest'],
    services: ['llm_inference'],
    price: '0.02',
    unit_type: 'gpu_seconds',
  };
}

// ---------------------------------------------------------------------------------------------
// throughput: N workers, each a loop on its own connection, for warm-up + measured time

/** One operation of worker `worker`; resolves to null on success, or a short error description. */
type Op = (worker: number, iteration: number) => Promise<string | null>;

interface WorkerSamples {
  ends: number[];
  latenciesMs: number[];
}

interface LoadControl {
  stopped: boolean;
  errors: number;
  errorSamples: string[];
}

function recordError(control: LoadControl, message: string): void {
  control.errors++;
  if (control.errorSamples.length < 5) {
    control.errorSamples.push(message);
  }
}

async function workerLoop(worker: number, op: Op, control: LoadControl, samples: WorkerSamples): Promise<void> {
  for (let iteration = 0; !control.stopped; iteration++) {
    const start = performance.now();
    let failure: string | null;
    try {
      failure = await op(worker, iteration);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const end = performance.now();
    if (failure === null) {
      samples.ends.push(end);
      samples.latenciesMs.push(end - start);
    } else {
      recordError(control, failure);
      await sleep(10); // no hot loop on a refused connection
    }
  }
}

/** Sleeps `ms`, but throws as soon as the coordinator is gone. */
async function watchfulSleep(ms: number, coordinator: CoordinatorProcess): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) {
    coordinator.assertRunning();
    await sleep(Math.min(100, left));
  }
  coordinator.assertRunning();
}

interface LoadSpec {
  case: ThroughputResult['case'];
  connections: number;
  warmupSeconds: number;
  seconds: number;
  op: Op;
}

async function runLoad(spec: LoadSpec, coordinator: CoordinatorProcess): Promise<ThroughputResult> {
  const control: LoadControl = { stopped: false, errors: 0, errorSamples: [] };
  const samples = Array.from({ length: spec.connections }, (): WorkerSamples => ({ ends: [], latenciesMs: [] }));
  const loops = samples.map((workerSamples, worker) => workerLoop(worker, spec.op, control, workerSamples));
  let from: CpuSnapshot;
  let to: CpuSnapshot;
  try {
    await watchfulSleep(spec.warmupSeconds * 1000, coordinator);
    from = cpuSnapshot(coordinator.pid);
    await watchfulSleep(spec.seconds * 1000, coordinator);
    to = cpuSnapshot(coordinator.pid);
  } finally {
    control.stopped = true;
    await Promise.all(loops);
  }
  const latencies: number[] = [];
  for (const { ends, latenciesMs } of samples) {
    ends.forEach((end, index) => {
      if (end >= from.at && end <= to.at) {
        latencies.push(latenciesMs[index]);
      }
    });
  }
  const stats = latencyStats(latencies);
  const seconds = (to.at - from.at) / 1000;
  return {
    case: spec.case,
    connections: spec.connections,
    seconds: round(seconds, 3),
    ops: latencies.length,
    opsPerSecond: round(latencies.length / seconds, 1),
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    maxMs: stats.maxMs,
    errors: control.errors,
    errorSamples: control.errorSamples,
    cpu: cpuUsageBetween(from, to, latencies.length),
  };
}

/** `total` operations by `connections` workers, as fast as they go (the queue fill). */
async function runCount(
  total: number,
  connections: number,
  op: Op,
  coordinator: CoordinatorProcess,
): Promise<ThroughputResult> {
  const control: LoadControl = { stopped: false, errors: 0, errorSamples: [] };
  const latencies: number[] = [];
  let next = 0;
  const worker = async (index: number) => {
    while (next < total && control.errors < 100) {
      coordinator.assertRunning();
      const iteration = next++;
      const start = performance.now();
      let failure: string | null;
      try {
        failure = await op(index, iteration);
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      if (failure === null) {
        latencies.push(performance.now() - start);
      } else {
        recordError(control, failure);
      }
    }
  };
  const from = cpuSnapshot(coordinator.pid);
  await Promise.all(Array.from({ length: connections }, (_, index) => worker(index)));
  const to = cpuSnapshot(coordinator.pid);
  const stats = latencyStats(latencies);
  const seconds = (to.at - from.at) / 1000;
  return {
    case: 'queue_fill',
    connections,
    seconds: round(seconds, 3),
    ops: latencies.length,
    opsPerSecond: round(latencies.length / seconds, 1),
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    maxMs: stats.maxMs,
    errors: control.errors,
    errorSamples: control.errorSamples,
    cpu: cpuUsageBetween(from, to, latencies.length),
  };
}

const PLAIN_INSERT_SQL = 'INSERT INTO bench_plain_insert (stream_id, data) VALUES ($1, $2)';

async function measurePlainInsert(
  pool: Pool,
  settings: HttpBenchSettings,
  coordinator: CoordinatorProcess,
): Promise<ThroughputResult> {
  // the same kind of row a submit writes: a key and a small jsonb document; pool.query checks a
  // connection out and back in for every INSERT, as the coordinator does for every request
  const op: Op = async (_worker, iteration) => {
    await pool.query({
      name: 'bench_plain_insert',
      text: PLAIN_INSERT_SQL,
      values: [`job-${randomUUID()}`, JSON.stringify(jobBody(iteration))],
    });
    return null;
  };
  return runLoad(
    {
      case: 'plain_insert',
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      op,
    },
    coordinator,
  );
}

async function measureSubmit(
  target: Target,
  kind: 'submit' | 'submit_high',
  connections: number,
  warmupSeconds: number,
  seconds: number,
  coordinator: CoordinatorProcess,
): Promise<ThroughputResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  try {
    const op: Op = async (_worker, iteration) => {
      const res = await send(target, agent, 'POST', '/v1/jobs', clientHeaders, jobBody(iteration));
      return res.status === 201 ? null : `${res.status} ${res.body.slice(0, 200)}`;
    };
    return await runLoad({ case: kind, connections, warmupSeconds, seconds, op }, coordinator);
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// one miner: dispatch latency and the full cycle

class BenchMiner {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });
  private lastBeat = performance.now();

  constructor(private readonly target: Target) {}

  async register(): Promise<void> {
    const res = await send(this.target, this.agent, 'POST', '/v1/miners/register', minerHeaders, {
      capabilities: minerCapabilities(),
      concurrency: 64,
    });
    expectStatus(res, 200, 'register the bench miner');
  }

  poll(maxWaitSeconds: number): Promise<HttpResponse> {
    return send(this.target, this.agent, 'POST', '/v1/miners/poll', minerHeaders, {
      max_wait_seconds: maxWaitSeconds,
    });
  }

  async complete(jobId: string): Promise<HttpResponse> {
    return send(this.target, this.agent, 'POST', `/v1/miners/${jobId}/result`, minerHeaders, {
      result: { response: 'Hello from the bench miner.', done: true },
      metrics: { duration_ms: 1, eval_count: 8 },
    });
  }

  /** Outside every measured interval: keeps the miner ONLINE as a real daemon would. */
  async heartbeatIfDue(): Promise<void> {
    if (performance.now() - this.lastBeat < HEARTBEAT_EVERY_MS) {
      return;
    }
    const res = await send(this.target, this.agent, 'POST', '/v1/miners/heartbeat', minerHeaders, {});
    expectStatus(res, 200, 'heartbeat');
    this.lastBeat = performance.now();
  }
}

async function measureDispatch(
  target: Target,
  miner: BenchMiner,
  settings: HttpBenchSettings,
  coordinator: CoordinatorProcess,
): Promise<DispatchResult> {
  const client = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let from = cpuSnapshot(coordinator.pid);
  try {
    for (let index = 0; index < SEQUENTIAL_WARMUP_OPS + settings.dispatchJobs; index++) {
      coordinator.assertRunning();
      if (index === SEQUENTIAL_WARMUP_OPS) {
        from = cpuSnapshot(coordinator.pid);
      }
      const poll = miner.poll(30);
      poll.catch(() => undefined); // awaited below; no unhandled rejection while we sleep
      await sleep(settings.pollSettleMs); // let the poll find nothing and start waiting
      const start = performance.now();
      const submitted = await send(target, client, 'POST', '/v1/jobs', clientHeaders, jobBody(index));
      const polled = await poll;
      expectStatus(submitted, 201, 'submit');
      expectStatus(polled, 200, 'long-poll');
      const jobId = json<{ job_id: string }>(submitted).job_id;
      const gotId = json<{ job_id: string }>(polled).job_id;
      if (gotId !== jobId) {
        throw new Error(`the long-poll returned job ${gotId}, not the job just submitted (${jobId})`);
      }
      if (index >= SEQUENTIAL_WARMUP_OPS) {
        latencies.push(polled.endedAt - start);
      }
      expectStatus(await miner.complete(jobId), 200, 'result');
      await miner.heartbeatIfDue();
    }
  } finally {
    client.destroy();
  }
  const to = cpuSnapshot(coordinator.pid);
  return {
    ...latencyStats(latencies),
    pollSettleMs: settings.pollSettleMs,
    cpu: cpuUsageBetween(from, to, latencies.length),
  };
}

async function measureCycle(
  target: Target,
  miner: BenchMiner,
  cycles: number,
  queuedJobs: number,
  coordinator: CoordinatorProcess,
): Promise<CycleResult> {
  const client = new Agent({ keepAlive: true, maxSockets: 1 });
  const totals: number[] = [];
  const steps = { submit: [] as number[], poll: [] as number[], result: [] as number[], read: [] as number[] };
  let from = cpuSnapshot(coordinator.pid);
  try {
    for (let index = 0; index < SEQUENTIAL_WARMUP_OPS + cycles; index++) {
      coordinator.assertRunning();
      await miner.heartbeatIfDue();
      if (index === SEQUENTIAL_WARMUP_OPS) {
        from = cpuSnapshot(coordinator.pid);
      }
      const start = performance.now();
      const submitted = await send(target, client, 'POST', '/v1/jobs', clientHeaders, jobBody(index));
      expectStatus(submitted, 201, 'submit');
      const jobId = json<{ job_id: string }>(submitted).job_id;
      const polled = await miner.poll(0);
      expectStatus(polled, 200, 'poll');
      const gotId = json<{ job_id: string }>(polled).job_id;
      if (gotId !== jobId) {
        throw new Error(`the poll returned job ${gotId}, not the job just submitted (${jobId})`);
      }
      const reported = await miner.complete(jobId);
      expectStatus(reported, 200, 'result');
      const read = await send(target, client, 'GET', `/v1/jobs/${jobId}/result`, clientHeaders);
      expectStatus(read, 200, 'read the result');
      const state = json<{ state: string }>(read).state;
      if (state !== 'COMPLETED') {
        throw new Error(`job ${jobId} read back as ${state}, not COMPLETED`);
      }
      if (index >= SEQUENTIAL_WARMUP_OPS) {
        totals.push(read.endedAt - start);
        steps.submit.push(submitted.endedAt - start);
        steps.poll.push(polled.endedAt - submitted.endedAt);
        steps.result.push(reported.endedAt - polled.endedAt);
        steps.read.push(read.endedAt - reported.endedAt);
      }
    }
  } finally {
    client.destroy();
  }
  const to = cpuSnapshot(coordinator.pid);
  return {
    ...latencyStats(totals),
    queuedJobs,
    steps: {
      submit: latencyStats(steps.submit),
      poll: latencyStats(steps.poll),
      result: latencyStats(steps.result),
      read: latencyStats(steps.read),
    },
    cpu: cpuUsageBetween(from, to, totals.length),
  };
}

async function fillQueue(
  target: Target,
  settings: HttpBenchSettings,
  coordinator: CoordinatorProcess,
): Promise<ThroughputResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
  try {
    const op: Op = async (_worker, iteration) => {
      const res = await send(target, agent, 'POST', '/v1/jobs', clientHeaders, blockerBody(iteration));
      return res.status === 201 ? null : `${res.status} ${res.body.slice(0, 200)}`;
    };
    return await runCount(settings.queuedJobs, settings.connections, op, coordinator);
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// database and Redis preparation

/** The baseline's table, in the bench database. */
async function createPlainInsertTable(url: string): Promise<void> {
  await withClient(url, (client) =>
    client.query(`CREATE TABLE bench_plain_insert (
      id bigserial PRIMARY KEY,
      stream_id text NOT NULL,
      data jsonb NOT NULL
    )`),
  );
}

/** Empties the dispatch queue of the throughput cases' jobs, so that only the cases' own jobs are queued. */
async function clearQueue(pool: Pool): Promise<void> {
  await pool.query('DELETE FROM job_queue');
}

/**
 * Lets the database catch up between phases, so that one phase does not pay for the maintenance another
 * caused: with `vacuum`, VACUUM ANALYZE of the whole database; then no autovacuum worker running; then a
 * CHECKPOINT (as the event-store bench does before each case).
 */
async function settle(pool: Pool, vacuum: boolean): Promise<void> {
  if (vacuum) {
    await pool.query('VACUUM ANALYZE');
  }
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`,
    );
    if (rows[0].n === 0) {
      break;
    }
    await sleep(250);
  }
  await pool.query('CHECKPOINT');
}

// ---------------------------------------------------------------------------------------------
// report

function check(name: string, value: number, comparison: '≥' | '≤', target: number): TargetCheck {
  return {
    name,
    value,
    target: `${comparison} ${target}`,
    meets: comparison === '≥' ? value >= target : value <= target,
  };
}

function targetChecks(result: Omit<HttpBenchResult, 'targets'>): TargetCheck[] {
  return [
    check('POST /v1/jobs ÷ plain INSERT, 32 connections', result.submitVsInsert, '≥', TARGETS.submitVsInsert),
    check('POST /v1/jobs errors, 32 connections', result.submit.errors, '≤', 0),
    check('POST /v1/jobs errors, 256 connections', result.submitHigh.errors, '≤', TARGETS.errorsAt256),
    check('dispatch p50 ms', result.dispatch.p50Ms, '≤', TARGETS.dispatchP50Ms),
    check('dispatch p99 ms', result.dispatch.p99Ms, '≤', TARGETS.dispatchP99Ms),
    check('full cycle p50 ms', result.cycle.p50Ms, '≤', TARGETS.cycleP50Ms),
    check(
      `full cycle p50 ms, ${result.cycleQueued.queuedJobs} queued`,
      result.cycleQueued.p50Ms,
      '≤',
      TARGETS.cycleQueuedP50Ms,
    ),
    check('coordinator peak RSS MB', result.rss.peakSampledMb, '≤', TARGETS.rssMb),
  ];
}

function printReport(result: HttpBenchResult): void {
  const { machine, postgres, settings } = result;
  console.log('');
  console.log(`Coordinator HTTP benchmark — ${result.startedAt}`);
  console.log(
    `machine: ${machine.nproc} cpu(s) (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, node ${machine.node}`,
  );
  console.log(`postgres: ${postgres.version}`);
  const checkout = result.git
    ? `${result.git.commit} (+ ${result.git.modifiedFiles} modified tracked file(s)) at the time of the run`
    : 'unknown';
  console.log(`checkout: ${checkout}; coordinator built ${result.coordinatorBuiltAt}`);
  console.log(
    `durability: synchronous_commit=${postgres.synchronousCommit}, fsync=${postgres.fsync}, ` +
      `shared_buffers=${postgres.sharedBuffers}; coordinator pool ${result.coordinator.poolSize}, LOG_LEVEL=warn`,
  );
  console.log(
    `method: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s at ${settings.connections} connections ` +
      `(${settings.highSeconds} s at ${settings.highConnections}); ${settings.dispatchJobs} dispatches ` +
      `(poll settle ${settings.pollSettleMs} ms); ${settings.cycles} cycles, then with ${settings.queuedJobs} queued`,
  );
  console.log('');
  const throughputRows = [result.plainInsert, result.submit, result.submitHigh, result.queueFill].map((row) => [
    {
      plain_insert: 'plain INSERT (pg, Node)',
      submit: 'POST /v1/jobs',
      submit_high: 'POST /v1/jobs',
      queue_fill: 'POST /v1/jobs (queue fill)',
    }[row.case],
    String(row.connections),
    fixed(row.opsPerSecond, 1),
    fixed(row.p50Ms),
    fixed(row.p99Ms),
    String(row.errors),
    fixed(row.cpu.coordinatorMsPerOp, 3),
    fixed(row.cpu.postgresMsPerOp, 3),
    fixed(row.cpu.benchMsPerOp, 3),
    fixed(row.cpu.machineBusyPct, 0),
    fixed(row.cpu.unattributedPct, 0),
  ]);
  printTable(
    [
      'throughput',
      'conns',
      'ops/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'coord cpu',
      'pg cpu',
      'bench cpu',
      'busy %',
      'other %',
    ],
    throughputRows,
    [26, 5, 9, 8, 8, 6, 9, 8, 9, 6, 7],
  );
  console.log(
    '(cpu: CPU ms per operation in the measured window; busy %: of all cores; other %: busy, but not in the ' +
      'coordinator, Postgres or the bench — interrupts, other processes)',
  );
  console.log('');
  const latencyRow = (label: string, stats: LatencyStats, cpu: CpuUsage) => [
    label,
    String(stats.n),
    fixed(stats.p50Ms),
    fixed(stats.p90Ms),
    fixed(stats.p99Ms),
    fixed(stats.maxMs),
    fixed(cpu.coordinatorMsPerOp, 3),
    fixed(cpu.postgresMsPerOp, 3),
    fixed(cpu.machineBusyPct, 0),
    fixed(cpu.unattributedPct, 0),
  ];
  const cycleSteps = (cycle: CycleResult) =>
    `submit ${fixed(cycle.steps.submit.p50Ms)} + poll ${fixed(cycle.steps.poll.p50Ms)} + result ` +
    `${fixed(cycle.steps.result.p50Ms)} + read ${fixed(cycle.steps.read.p50Ms)} ms (p50 of each step)`;
  printTable(
    ['latency', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'coord cpu', 'pg cpu', 'busy %', 'other %'],
    [
      latencyRow('submit → waiting long-poll', result.dispatch, result.dispatch.cpu),
      latencyRow('full cycle', result.cycle, result.cycle.cpu),
      latencyRow(`full cycle, ${result.cycleQueued.queuedJobs} queued`, result.cycleQueued, result.cycleQueued.cpu),
    ],
    [30, 5, 8, 8, 8, 8, 9, 8, 6, 7],
  );
  console.log(`full cycle: ${cycleSteps(result.cycle)}`);
  console.log(`with ${result.cycleQueued.queuedJobs} queued: ${cycleSteps(result.cycleQueued)}`);
  console.log('');
  console.log(
    `coordinator RSS: peak ${result.rss.peakSampledMb} MB sampled every ${RSS_SAMPLE_MS} ms ` +
      `(${result.rss.samples} samples), VmHWM ${result.rss.vmHwmMb} MB; by phase: ` +
      Object.entries(result.rss.peakByPhaseMb)
        .map(([phase, mb]) => `${phase} ${mb}`)
        .join(', '),
  );
  console.log('');
  printTable(
    ['target', 'value', 'target', ''],
    result.targets.map((t) => [t.name, String(t.value), t.target, t.meets ? 'ok' : 'MISSED']),
    [44, 10, 8, 6],
  );
  for (const row of [result.submit, result.submitHigh, result.queueFill]) {
    if (row.errors > 0) {
      console.log(`errors (${row.case}, ${row.connections} connections): ${row.errorSamples.join(' | ')}`);
    }
  }
  console.log('');
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

// ---------------------------------------------------------------------------------------------
// the whole run

function progress(message: string): void {
  process.stderr.write(`http bench: ${message}\n`);
}

/** Runs the whole benchmark once, prints the table and the `BENCH_RESULT` line, returns the numbers. */
export async function runHttpBench(env: NodeJS.ProcessEnv = process.env): Promise<HttpBenchResult> {
  const settings = readSettings(env);
  const startedAt = new Date();
  const mainJs = coordinatorMainJs();
  const redisDb = redisDbOf(settings.redisUrl, 'HTTP_BENCH_REDIS_URL');
  progress(`recreating database ${databaseNameOf(settings.databaseUrl)}, flushing Redis db ${redisDb}`);
  await recreateDatabase(settings.databaseUrl);
  await createPlainInsertTable(settings.databaseUrl);
  await flushRedis(settings.redisUrl, 'HTTP_BENCH_REDIS_URL');
  const port = await freePort();
  const target: Target = { port };
  const coordinator = CoordinatorProcess.start(mainJs, coordinatorEnv(settings, port));
  const unguard = guardChild(coordinator, 'http');
  const rss = new RssSampler(coordinator.pid);
  const pool = new Pool({
    connectionString: settings.databaseUrl,
    max: settings.connections + 2,
    idleTimeoutMillis: 0, // backends that exit would take their CPU time out of the accounting
    application_name: 'aitbc-http-bench',
  });
  let miner: BenchMiner | null = null;
  let exit = 'running';
  try {
    progress(`starting the coordinator (pid ${coordinator.pid}) on ${HOST}:${port}`);
    await waitUntilReady(target, coordinator);
    const postgres = await readPostgresInfo(pool);
    await settle(pool, false);

    rss.enter('plain_insert');
    progress(`plain INSERTs at ${settings.connections} connections…`);
    const plainInsert = await measurePlainInsert(pool, settings, coordinator);
    await settle(pool, false);

    rss.enter('submit');
    progress(`POST /v1/jobs at ${settings.connections} connections…`);
    const submit = await measureSubmit(
      target,
      'submit',
      settings.connections,
      settings.warmupSeconds,
      settings.seconds,
      coordinator,
    );
    await settle(pool, false);
    rss.enter('submit_high');
    progress(`POST /v1/jobs at ${settings.highConnections} connections…`);
    const submitHigh = await measureSubmit(
      target,
      'submit_high',
      settings.highConnections,
      Math.min(settings.warmupSeconds, 1),
      settings.highSeconds,
      coordinator,
    );
    await clearQueue(pool);
    await settle(pool, true);

    rss.enter('dispatch');
    miner = new BenchMiner(target);
    await miner.register();
    progress(`dispatch latency over ${settings.dispatchJobs} jobs…`);
    const dispatch = await measureDispatch(target, miner, settings, coordinator);

    rss.enter('cycle');
    progress(`full cycle × ${settings.cycles}…`);
    const cycle = await measureCycle(target, miner, settings.cycles, 0, coordinator);

    rss.enter('queue_fill');
    progress(`queueing ${settings.queuedJobs} jobs nobody can run…`);
    const queueFill = await fillQueue(target, settings, coordinator);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM job_queue');
    if (rows[0].n !== settings.queuedJobs) {
      throw new Error(`expected ${settings.queuedJobs} queued jobs, found ${rows[0].n}`);
    }
    await settle(pool, true);

    rss.enter('cycle_queued');
    progress(`full cycle × ${settings.cycles} with ${settings.queuedJobs} queued…`);
    const cycleQueued = await measureCycle(target, miner, settings.cycles, settings.queuedJobs, coordinator);

    rss.enter('end');
    const vmHwmKb = statusKb(coordinator.pid, 'VmHWM') ?? 0;
    rss.stop();
    const { databaseUrl, redisUrl: _redisUrl, ...rest } = settings;
    const partial: Omit<HttpBenchResult, 'targets'> = {
      bench: 'http',
      startedAt: startedAt.toISOString(),
      git: gitInfo(),
      coordinatorBuiltAt: builtAt(mainJs),
      machine: machineInfo(),
      postgres,
      coordinator: { pid: coordinator.pid, poolSize: settings.coordinatorPoolSize ?? 20, exit },
      settings: { ...rest, database: databaseNameOf(databaseUrl), redisDb },
      plainInsert,
      submit,
      submitHigh,
      queueFill,
      submitVsInsert: round(submit.opsPerSecond / plainInsert.opsPerSecond, 3),
      dispatch,
      cycle,
      cycleQueued,
      rss: {
        peakSampledMb: mb(rss.peakKb),
        vmHwmMb: mb(vmHwmKb),
        samples: rss.samples,
        peakByPhaseMb: Object.fromEntries(Object.entries(rss.peakByPhaseKb).map(([phase, kb]) => [phase, mb(kb)])),
      },
    };
    miner.agent.destroy();
    miner = null;
    exit = await coordinator.stop();
    const result: HttpBenchResult = { ...partial, coordinator: { ...partial.coordinator, exit }, targets: [] };
    result.targets = targetChecks(result);
    printReport(result);
    return result;
  } catch (error) {
    if (coordinator.output().trim() !== '') {
      progress(`coordinator output (last ${OUTPUT_TAIL_CHARS} characters):\n${coordinator.output()}`);
    }
    throw error;
  } finally {
    rss.stop();
    miner?.agent.destroy();
    await pool.end().catch(() => undefined);
    await coordinator.stop();
    unguard();
  }
}

if (require.main === module) {
  runHttpBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
