/*
 * Miners held by one coordinator (DESIGN.md §6): 5,000 simulated miners heartbeating and long-polling, 0 errors.
 *
 *   1. N miners register under one miner key, each with its own `X-Miner-ID`, joining at an even rate over the
 *      ramp (at most BENCH_REGISTER_CONNECTIONS registrations at a time); each starts heartbeating and
 *      long-polling as soon as it is registered;
 *   2. once all are in, the fleet is held for BENCH_FLEET_SECONDS: every miner heartbeats every
 *      MINER_HEARTBEAT_INTERVAL_SECONDS ±20 % and always has one long-poll open (`max_wait_seconds` 25; a 204 is
 *      followed at once by the next poll);
 *   3. during the hold a client submits J jobs at a steady rate (no model: any miner may take each); the time from
 *      sending the submit to a miner's long-poll returning the job is the dispatch latency; every job must reach
 *      exactly one miner, which reports its result (200) and goes back to polling;
 *   4. every non-2xx answer and every network error (timeouts included) counts as an error, by kind; the
 *      coordinator's peak RSS, its CPU, Postgres connections and open file descriptors are sampled, and its
 *      /metrics is scraped every 15 s during the hold (waiting long-polls, and what a scrape costs).
 *
 * The coordinator is `node dist/apps/coordinator/src/main.js`, started as a separate process (LOG_LEVEL=warn) on a
 * free port of 127.0.0.1, with fixed bench keys, a freshly created database and a flushed Redis db, as in
 * http.bench.ts. All miners are driven from this one process through one keep-alive `node:http` Agent with
 * 2 × N + 64 sockets (each miner holds a long-poll and, now and then, a heartbeat or result); it needs about
 * N + a few hundred file descriptors (up to 2 × N when requests pile up), and the coordinator as many
 * (`ulimit -n`; the bench warns when it looks too low).
 *
 *   MINERS_BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/aitbc_miners_bench (its name must contain
 *                              "bench": the database is dropped and recreated)
 *   MINERS_BENCH_REDIS_URL     default redis://127.0.0.1:6379/13 (FLUSHDB first; a db other than 0 is required)
 *   BENCH_MINERS               simulated miners, default 5000
 *   BENCH_FLEET_SECONDS        the hold, after every miner has joined, default 60
 *   BENCH_FLEET_RAMP_SECONDS   miners join evenly over this long before the hold, default 25 (one long-poll wait,
 *                              so the fleet's polls are spread as in a fleet that came online over time); 0 = all
 *                              at once, as fast as the registrations go
 *   BENCH_FLEET_JOBS           jobs submitted at a steady rate over the first 80 % of the hold, default 500
 *   BENCH_POLL_WAIT_SECONDS    max_wait_seconds of every long-poll, default 25 (the API allows up to 30)
 *   BENCH_REGISTER_CONNECTIONS registrations at a time, default 32
 *   MINER_HEARTBEAT_INTERVAL_SECONDS  heartbeat interval of the miners and of the coordinator, default 15 (its
 *                              lease TTL is set to max(60, 4 × the interval))
 *   DATABASE_POOL_SIZE         passed on to the coordinator (its default is 20)
 *   MINERS_BENCH_NODE_OPTIONS  NODE_OPTIONS of the coordinator, e.g. "--max-old-space-size=128" or "--require
 *                              ./probe.js" (Node refuses --cpu-prof and --trace-gc there)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import {
  databaseNameOf,
  fixed,
  latencyStats,
  LatencyStats,
  percentile,
  positiveNumber,
  printTable,
  round,
} from './bench-support';
import {
  builtAt,
  CLOCK_TICKS_PER_SECOND,
  coordinatorMainJs,
  CoordinatorProcess,
  CpuLoad,
  cpuLoadBetween,
  cpuSnapshot,
  flushRedis,
  freePort,
  GitInfo,
  gitInfo,
  guardChild,
  HOST,
  benchCoordinatorEnv,
  HttpResponse,
  machineInfo,
  MachineInfo,
  mb,
  OUTPUT_TAIL_CHARS,
  PostgresInfo,
  processTicks,
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

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/aitbc_miners_bench';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/13';
const REDIS_ENV = 'MINERS_BENCH_REDIS_URL';

const KEYS = {
  client: 'client-key-for-miners-bench-0001',
  miner: 'miner-key-for-miners-bench-0001',
  admin: 'admin-key-for-miners-bench-0001',
} as const;
/** the miner key's name: the miners are `bench-rig/fleet-00000` … */
const MINER_KEY_NAME = 'bench-rig';

export const TARGETS = { miners: 5000, errors: 0 } as const;

const HEARTBEAT_JITTER = 0.2;
/** as the miner daemon: a long-poll may take max_wait + 15 s, any other call 15 s */
const POLL_TIMEOUT_EXTRA_MS = 15_000;
const CALL_TIMEOUT_MS = 15_000;
const RETRY_AFTER_ERROR_MS = 1_000;
const JOB_WINDOW_SHARE = 0.8;
const SAMPLE_EVERY_MS = 1_000;
/** as a Prometheus scraping every 15 s */
const METRICS_EVERY_MS = 15_000;
const PROGRESS_EVERY_MS = 10_000;
const DRAIN_TIMEOUT_MS = 30_000;
const ERROR_SAMPLES = 10;
const LOOP_DELAY_RESOLUTION_MS = 10;

/** The histogram holds the time between the sampling timer's runs: the resolution plus the delay. */
const loopDelayMs = (nanoseconds: number) => round(Math.max(0, nanoseconds / 1e6 - LOOP_DELAY_RESOLUTION_MS), 1);

export interface MinersBenchSettings {
  databaseUrl: string;
  redisUrl: string;
  miners: number;
  fleetSeconds: number;
  rampSeconds: number;
  jobs: number;
  pollWaitSeconds: number;
  registerConnections: number;
  heartbeatIntervalSeconds: number;
  leaseTtlSeconds: number;
  /** DATABASE_POOL_SIZE given to the coordinator; null → its default */
  coordinatorPoolSize: number | null;
  coordinatorNodeOptions: string | null;
}

export interface Counted {
  sent: number;
  ok: number;
  latency: LatencyStats;
}

export interface MinersBenchResult {
  bench: 'miners';
  startedAt: string;
  git: GitInfo;
  coordinatorBuiltAt: string;
  machine: MachineInfo;
  postgres: PostgresInfo;
  coordinator: { pid: number; poolSize: number; exit: string };
  settings: Omit<MinersBenchSettings, 'databaseUrl' | 'redisUrl'> & { database: string; redisDb: number };
  registration: Counted & { seconds: number; perSecond: number };
  /** the hold: from the moment the last miner had registered */
  hold: { seconds: number };
  /** over the whole life of the fleet (ramp + hold) */
  heartbeats: Counted;
  polls: {
    answered200: number;
    answered204: number;
    /** how long a 204 took, in seconds (max_wait_seconds is the floor) */
    emptyPollSeconds: { p50: number; p99: number; max: number };
    /** long-polls still open when the fleet stopped (ended by closing the connections; not errors) */
    openAtEnd: number;
  };
  results: Counted;
  errors: { total: number; byKind: Record<string, number>; samples: string[] };
  jobs: {
    submitted: number;
    accepted: number;
    delivered: number;
    deliveredTwice: number;
    neverDelivered: number;
    completedInDatabase: number;
    /** every accepted job reached exactly one miner, got its result in, and is COMPLETED once, by that miner */
    exactlyOnce: boolean;
    problems: string[];
    /** POST /v1/jobs until its 201 had arrived */
    submit: LatencyStats;
    /** sending the submit → the long-poll that returns the job has fully arrived */
    dispatch: LatencyStats;
  };
  /** the coordinator's view at the end: miners whose last heartbeat is within the lease TTL (not OFFLINE) */
  minersOnlineAtEnd: number;
  /** from the /metrics scrapes of the hold: waiting long-polls, and how long a scrape took */
  waitingPolls: { min: number; max: number; samples: number };
  metricsScrapeMs: LatencyStats;
  cpu: { hold: CpuLoad; coordinatorTotalSeconds: number };
  rss: { peakSampledMb: number; vmHwmMb: number; samples: number; peakByPhaseMb: Record<string, number> };
  fds: { coordinatorPeak: number };
  postgresConnections: {
    /** peak backends of the coordinator's pool (application_name aitbc-coordinator), and how many were busy */
    poolPeak: number;
    poolBusyPeak: number;
    /** the LISTEN connection of the dispatcher */
    listener: number;
    /** every backend connected to the bench database (the bench's own sampler included) */
    databasePeak: number;
  };
  benchEventLoopDelayMs: { p50: number; p99: number; max: number };
  verdict: { meets: boolean; reason: string };
}

// ---------------------------------------------------------------------------------------------
// settings

function nonNegativeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return env[name]?.trim() === '0' ? 0 : positiveNumber(env, name, fallback);
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): MinersBenchSettings {
  const pollWaitSeconds = positiveNumber(env, 'BENCH_POLL_WAIT_SECONDS', 25, true);
  if (pollWaitSeconds > 30) {
    throw new Error('BENCH_POLL_WAIT_SECONDS must be at most 30 (the API caps max_wait_seconds at 30)');
  }
  const heartbeatIntervalSeconds = positiveNumber(env, 'MINER_HEARTBEAT_INTERVAL_SECONDS', 15, true);
  return {
    databaseUrl: env.MINERS_BENCH_DATABASE_URL?.trim() || DEFAULT_DATABASE_URL,
    redisUrl: env.MINERS_BENCH_REDIS_URL?.trim() || DEFAULT_REDIS_URL,
    miners: positiveNumber(env, 'BENCH_MINERS', 5000, true),
    fleetSeconds: positiveNumber(env, 'BENCH_FLEET_SECONDS', 60),
    rampSeconds: nonNegativeNumber(env, 'BENCH_FLEET_RAMP_SECONDS', 25),
    jobs: positiveNumber(env, 'BENCH_FLEET_JOBS', 500, true),
    pollWaitSeconds,
    registerConnections: positiveNumber(env, 'BENCH_REGISTER_CONNECTIONS', 32, true),
    heartbeatIntervalSeconds,
    leaseTtlSeconds: Math.max(60, 4 * heartbeatIntervalSeconds),
    coordinatorPoolSize: env.DATABASE_POOL_SIZE?.trim() ? positiveNumber(env, 'DATABASE_POOL_SIZE', 20, true) : null,
    coordinatorNodeOptions: env.MINERS_BENCH_NODE_OPTIONS?.trim() || null,
  };
}

function coordinatorEnv(settings: MinersBenchSettings, port: number): NodeJS.ProcessEnv {
  // Buckets are per daemon for miner keys (key name + X-Miner-ID) and per key otherwise: a miner here sends
  // ~7 requests a minute, far below the default 6,000, but the one client submits all the jobs; the limits
  // are raised as in http.bench.ts, so that the bench measures the coordinator, never the limiter.
  return benchCoordinatorEnv({
    port,
    databaseUrl: settings.databaseUrl,
    redisUrl: settings.redisUrl,
    keys: KEYS,
    minerKeyName: MINER_KEY_NAME,
    poolSize: settings.coordinatorPoolSize,
    nodeOptions: settings.coordinatorNodeOptions,
    extra: {
      MINER_HEARTBEAT_INTERVAL_SECONDS: String(settings.heartbeatIntervalSeconds),
      MINER_LEASE_TTL_SECONDS: String(settings.leaseTtlSeconds),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// what the miners and the client send

/** One RTX 4090 with llama3.2, as `capabilities()` of test/support/api.ts (the e2e tests' miner). */
function capabilities(): Record<string, unknown> {
  return {
    gpus: [{ name: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', memory_mb: 24564 }],
    cuda: '12.4',
    models: ['llama3.2:latest'],
    services: ['llm_inference'],
    price: '0.02',
    unit_type: 'gpu_seconds',
  };
}

/** No model and no constraints: any miner of the fleet may take it. */
function jobBody(sequence: number): Record<string, unknown> {
  return {
    payload: { type: 'inference', prompt: `fleet job ${sequence}: say hello`, options: { num_predict: 16 } },
    ttl_seconds: 600,
  };
}

const clientHeaders = { 'x-api-key': KEYS.client };

// ---------------------------------------------------------------------------------------------
// counting

type Route = 'register' | 'heartbeat' | 'poll' | 'result' | 'submit' | 'metrics';

class Tally {
  readonly byKind = new Map<string, number>();
  readonly samples: string[] = [];
  total = 0;

  httpError(route: Route, response: HttpResponse): void {
    let code = '';
    try {
      code = (JSON.parse(response.body) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // not the error envelope
    }
    this.add(`${route} ${response.status}${code ? ` ${code}` : ''}`, response.body.slice(0, 200));
  }

  networkError(route: Route, error: unknown): void {
    const err = error as NodeJS.ErrnoException;
    const kind = err?.code ?? (/timed out$/.test(String(err?.message)) ? 'timeout' : 'error');
    this.add(`${route} ${kind}`, err instanceof Error ? err.message : String(error));
  }

  private add(kind: string, sample: string): void {
    this.total++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (this.samples.length < ERROR_SAMPLES) {
      this.samples.push(`${kind}: ${sample}`);
    }
  }
}

class Counter {
  sent = 0;
  ok = 0;
  readonly latenciesMs: number[] = [];

  result(): Counted {
    return { sent: this.sent, ok: this.ok, latency: latencyStats(this.latenciesMs) };
  }
}

interface Delivery {
  miner: string;
  at: number;
}

/** The jobs of the hold: when each submit was sent, and which miners' polls returned it. */
class JobLedger {
  submitted = 0;
  readonly sentAt = new Map<string, number>();
  readonly submitLatenciesMs: number[] = [];
  readonly deliveries = new Map<string, Delivery[]>();
  readonly resultStatus = new Map<string, number>();

  delivered(jobId: string, miner: string, at: number): void {
    const list = this.deliveries.get(jobId) ?? [];
    list.push({ miner, at });
    this.deliveries.set(jobId, list);
  }

  /** Accepted jobs that no miner has reported on yet. */
  get outstanding(): number {
    let open = 0;
    for (const jobId of this.sentAt.keys()) {
      if (!this.resultStatus.has(jobId)) {
        open++;
      }
    }
    return open;
  }
}

// ---------------------------------------------------------------------------------------------
// the fleet

interface SimulatedMiner {
  name: string;
  /** the id the coordinator gives it: `<key name>/<X-Miner-ID>` */
  id: string;
  headers: Record<string, string>;
  runningJob: string | null;
  heartbeatTimer: NodeJS.Timeout | null;
  polling: Promise<void> | null;
}

class Fleet {
  readonly agent: Agent;
  readonly miners: SimulatedMiner[] = [];
  readonly errors = new Tally();
  readonly registrations = new Counter();
  readonly heartbeats = new Counter();
  readonly results = new Counter();
  readonly emptyPollMs: number[] = [];
  polls200 = 0;
  polls204 = 0;
  openPolls = 0;
  stopping = false;
  /** heartbeats and results in flight: the fleet waits for them before it closes its connections */
  private busy = 0;

  constructor(
    private readonly target: Target,
    private readonly settings: MinersBenchSettings,
    readonly jobs: JobLedger,
  ) {
    const sockets = 2 * settings.miners + 64;
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** Registers miner `index`; on success it starts heartbeating and polling at once. */
  async join(index: number): Promise<void> {
    const name = `fleet-${String(index).padStart(5, '0')}`;
    const headers = { 'x-api-key': KEYS.miner, 'x-miner-id': name };
    const started = performance.now();
    this.registrations.sent++;
    let response: HttpResponse;
    try {
      response = await send(
        this.target,
        this.agent,
        'POST',
        '/v1/miners/register',
        headers,
        { capabilities: capabilities(), concurrency: 1 },
        CALL_TIMEOUT_MS,
      );
    } catch (error) {
      this.errors.networkError('register', error);
      return;
    }
    if (response.status !== 200) {
      this.errors.httpError('register', response);
      return;
    }
    this.registrations.ok++;
    this.registrations.latenciesMs.push(response.endedAt - started);
    const miner: SimulatedMiner = {
      name,
      id: (JSON.parse(response.body) as { miner_id: string }).miner_id,
      headers,
      runningJob: null,
      heartbeatTimer: null,
      polling: null,
    };
    this.miners.push(miner);
    if (this.stopping) {
      return;
    }
    // a fleet in its steady state: each miner's beats fall anywhere in the interval
    this.scheduleHeartbeat(miner, Math.random() * this.settings.heartbeatIntervalSeconds * 1000);
    miner.polling = this.pollLoop(miner);
  }

  private scheduleHeartbeat(miner: SimulatedMiner, delayMs: number): void {
    miner.heartbeatTimer = setTimeout(() => void this.heartbeat(miner), delayMs);
  }

  private async heartbeat(miner: SimulatedMiner): Promise<void> {
    if (this.stopping) {
      return;
    }
    const jitter = 1 - HEARTBEAT_JITTER + 2 * HEARTBEAT_JITTER * Math.random();
    this.scheduleHeartbeat(miner, this.settings.heartbeatIntervalSeconds * 1000 * jitter);
    // what the miner daemon sends
    const body = {
      status: 'ONLINE',
      inflight: miner.runningJob ? 1 : 0,
      job_ids: miner.runningJob ? [miner.runningJob] : [],
    };
    this.busy++;
    this.heartbeats.sent++;
    const started = performance.now();
    try {
      const response = await send(
        this.target,
        this.agent,
        'POST',
        '/v1/miners/heartbeat',
        miner.headers,
        body,
        CALL_TIMEOUT_MS,
      );
      if (response.status === 200) {
        this.heartbeats.ok++;
        this.heartbeats.latenciesMs.push(response.endedAt - started);
      } else {
        this.errors.httpError('heartbeat', response);
      }
    } catch (error) {
      this.errors.networkError('heartbeat', error);
    } finally {
      this.busy--;
    }
  }

  /** One long-poll open at all times: again at once after a 204, after reporting the result of a 200. */
  private async pollLoop(miner: SimulatedMiner): Promise<void> {
    const waitMs = this.settings.pollWaitSeconds * 1000;
    while (!this.stopping) {
      const started = performance.now();
      let response: HttpResponse;
      this.openPolls++;
      try {
        response = await send(
          this.target,
          this.agent,
          'POST',
          '/v1/miners/poll',
          miner.headers,
          { max_wait_seconds: this.settings.pollWaitSeconds },
          waitMs + POLL_TIMEOUT_EXTRA_MS,
        );
      } catch (error) {
        if (this.stopping) {
          return; // the fleet closed its connections
        }
        this.errors.networkError('poll', error);
        await sleep(RETRY_AFTER_ERROR_MS);
        continue;
      } finally {
        this.openPolls--;
      }
      if (response.status === 204) {
        this.polls204++;
        this.emptyPollMs.push(response.endedAt - started);
        continue;
      }
      if (response.status !== 200) {
        this.errors.httpError('poll', response);
        await sleep(RETRY_AFTER_ERROR_MS);
        continue;
      }
      this.polls200++;
      const jobId = (JSON.parse(response.body) as { job_id: string }).job_id;
      this.jobs.delivered(jobId, miner.id, response.endedAt);
      await this.report(miner, jobId);
    }
  }

  /** An instant runner: the result goes in as soon as the job arrives. */
  private async report(miner: SimulatedMiner, jobId: string): Promise<void> {
    miner.runningJob = jobId;
    this.busy++;
    this.results.sent++;
    const started = performance.now();
    try {
      const response = await send(
        this.target,
        this.agent,
        'POST',
        `/v1/miners/${jobId}/result`,
        miner.headers,
        { result: { response: 'Hello from a fleet miner.', done: true }, metrics: { duration_ms: 1, eval_count: 4 } },
        CALL_TIMEOUT_MS,
      );
      this.jobs.resultStatus.set(jobId, response.status);
      if (response.status === 200) {
        this.results.ok++;
        this.results.latenciesMs.push(response.endedAt - started);
      } else {
        this.errors.httpError('result', response);
      }
    } catch (error) {
      this.jobs.resultStatus.set(jobId, 0);
      this.errors.networkError('result', error);
    } finally {
      this.busy--;
      miner.runningJob = null;
    }
  }

  /**
   * Stops heartbeating and polling: waits for heartbeats and results in flight, then closes every connection,
   * which ends the long-polls still waiting (the coordinator sees each miner hang up).
   */
  async stop(): Promise<number> {
    this.stopping = true;
    for (const miner of this.miners) {
      if (miner.heartbeatTimer) {
        clearTimeout(miner.heartbeatTimer);
      }
    }
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (this.busy > 0 && performance.now() < deadline) {
      await sleep(20);
    }
    const openAtEnd = this.openPolls;
    this.agent.destroy();
    await Promise.all(this.miners.map((miner) => miner.polling ?? Promise.resolve()));
    return openAtEnd;
  }
}

/**
 * Registers miners 0 … N-1, miner i no earlier than `ramp × i / N` after the start, at most `connections` at a
 * time. Resolves when every registration has been answered.
 */
async function joinFleet(
  fleet: Fleet,
  settings: MinersBenchSettings,
  coordinator: CoordinatorProcess,
): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < settings.miners && !fleet.stopping) {
      coordinator.assertRunning();
      const index = next++;
      const due = start + (settings.rampSeconds * 1000 * index) / settings.miners;
      const wait = due - performance.now();
      if (wait > 0) {
        await sleep(wait);
      }
      await fleet.join(index);
    }
  };
  await Promise.all(Array.from({ length: settings.registerConnections }, () => worker()));
  return (performance.now() - start) / 1000;
}

/** J jobs at a steady rate over the first 80 % of the hold, open loop: a slow submit does not delay the next. */
async function submitJobs(
  target: Target,
  ledger: JobLedger,
  errors: Tally,
  settings: MinersBenchSettings,
  coordinator: CoordinatorProcess,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const spacingMs = (JOB_WINDOW_SHARE * settings.fleetSeconds * 1000) / settings.jobs;
  const start = performance.now();
  const submits: Promise<void>[] = [];
  try {
    for (let sequence = 0; sequence < settings.jobs; sequence++) {
      const wait = start + (sequence + 0.5) * spacingMs - performance.now();
      if (wait > 0) {
        await sleep(wait);
      }
      coordinator.assertRunning();
      ledger.submitted++;
      const sentAt = performance.now();
      submits.push(
        send(target, agent, 'POST', '/v1/jobs', clientHeaders, jobBody(sequence), CALL_TIMEOUT_MS).then(
          (response) => {
            if (response.status === 201) {
              ledger.sentAt.set((JSON.parse(response.body) as { job_id: string }).job_id, sentAt);
              ledger.submitLatenciesMs.push(response.endedAt - sentAt);
            } else {
              errors.httpError('submit', response);
            }
          },
          (error: unknown) => errors.networkError('submit', error),
        ),
      );
    }
    await Promise.all(submits);
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// sampling while the fleet runs: Postgres connections, the coordinator's file descriptors and waiting polls

interface ConnectionSample {
  pool: number;
  poolBusy: number;
  listener: number;
  database: number;
}

class FleetSampler {
  readonly connections = { poolPeak: 0, poolBusyPeak: 0, listener: 0, databasePeak: 0 };
  fdPeak = 0;
  waiting = { min: Number.POSITIVE_INFINITY, max: 0, samples: 0 };
  readonly scrapeMs: number[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly target: Target,
    private readonly pool: Pool,
    private readonly database: string,
    private readonly coordinator: CoordinatorProcess,
    private readonly errors: Tally,
  ) {}

  start(): void {
    this.loops.push(this.every(SAMPLE_EVERY_MS, () => this.sampleConnections()));
    this.loops.push(this.every(SAMPLE_EVERY_MS, () => Promise.resolve(this.sampleFds())));
  }

  /** Waiting long-polls, from the coordinator's /metrics: only once every miner has joined. */
  startWaitingPolls(): void {
    this.loops.push(this.every(METRICS_EVERY_MS, () => this.sampleWaitingPolls()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async every(ms: number, sample: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      await sample().catch(() => undefined);
      for (let left = ms; left > 0 && !this.stopped; left -= 100) {
        await sleep(Math.min(100, left));
      }
    }
  }

  private async sampleConnections(): Promise<void> {
    const { rows } = await this.pool.query<{ application_name: string; busy: boolean; n: number }>(
      `SELECT application_name, state NOT IN ('idle') AS busy, count(*)::int AS n
       FROM pg_stat_activity WHERE datname = $1 GROUP BY 1, 2`,
      [this.database],
    );
    const sample: ConnectionSample = { pool: 0, poolBusy: 0, listener: 0, database: 0 };
    for (const row of rows) {
      sample.database += row.n;
      if (row.application_name === 'aitbc-coordinator') {
        sample.pool += row.n;
        sample.poolBusy += row.busy ? row.n : 0;
      } else if (row.application_name === 'aitbc-dispatch') {
        sample.listener += row.n;
      }
    }
    const peak = this.connections;
    peak.poolPeak = Math.max(peak.poolPeak, sample.pool);
    peak.poolBusyPeak = Math.max(peak.poolBusyPeak, sample.poolBusy);
    peak.listener = Math.max(peak.listener, sample.listener);
    peak.databasePeak = Math.max(peak.databasePeak, sample.database);
  }

  private sampleFds(): void {
    try {
      this.fdPeak = Math.max(this.fdPeak, readdirSync(`/proc/${this.coordinator.pid}/fd`).length);
    } catch {
      // gone
    }
  }

  private async sampleWaitingPolls(): Promise<void> {
    const agent = new Agent({ keepAlive: false });
    const started = performance.now();
    try {
      const response = await send(this.target, agent, 'GET', '/metrics', {}, undefined, CALL_TIMEOUT_MS);
      if (response.status !== 200) {
        this.errors.httpError('metrics', response);
        return;
      }
      this.scrapeMs.push(response.endedAt - started);
      const match = /^aitbc_dispatch_waiting_polls\s+(\d+)/m.exec(response.body);
      if (match) {
        const waiting = Number(match[1]);
        this.waiting.min = Math.min(this.waiting.min, waiting);
        this.waiting.max = Math.max(this.waiting.max, waiting);
        this.waiting.samples++;
      }
    } catch (error) {
      this.errors.networkError('metrics', error);
    } finally {
      agent.destroy();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// checks at the end, in the coordinator's database

async function checkJobs(
  pool: Pool,
  ledger: JobLedger,
): Promise<Omit<MinersBenchResult['jobs'], 'submitted' | 'accepted' | 'submit' | 'dispatch'>> {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < ERROR_SAMPLES) {
      problems.push(problem);
    }
  };
  let deliveredTwice = 0;
  let neverDelivered = 0;
  for (const jobId of ledger.sentAt.keys()) {
    const deliveries = ledger.deliveries.get(jobId) ?? [];
    if (deliveries.length === 0) {
      neverDelivered++;
      note(`job ${jobId} reached no miner`);
    } else if (deliveries.length > 1) {
      deliveredTwice++;
      note(`job ${jobId} reached ${deliveries.length} miners: ${deliveries.map((d) => d.miner).join(', ')}`);
    }
    const status = ledger.resultStatus.get(jobId);
    if (deliveries.length > 0 && status !== 200) {
      note(`the result of job ${jobId} got ${status ?? 'no answer'}`);
    }
  }
  for (const jobId of ledger.deliveries.keys()) {
    if (!ledger.sentAt.has(jobId)) {
      note(`a miner got job ${jobId}, which no accepted submit returned`);
    }
  }
  const { rows } = await pool.query<{ job_id: string; state: string; assigned_miner_id: string; attempts: number }>(
    'SELECT job_id, state, assigned_miner_id, attempts FROM job_views',
  );
  let completedInDatabase = 0;
  for (const row of rows) {
    const deliveries = ledger.deliveries.get(row.job_id) ?? [];
    if (row.state !== 'COMPLETED') {
      note(`job ${row.job_id} is ${row.state} in the database`);
      continue;
    }
    completedInDatabase++;
    if (row.attempts !== 1) {
      note(`job ${row.job_id} took ${row.attempts} attempts`);
    }
    if (deliveries.length === 1 && deliveries[0].miner !== row.assigned_miner_id) {
      note(`job ${row.job_id} was completed by ${row.assigned_miner_id}, but reached ${deliveries[0].miner}`);
    }
  }
  const exactlyOnce =
    problems.length === 0 &&
    ledger.sentAt.size === ledger.submitted &&
    completedInDatabase === ledger.sentAt.size &&
    rows.length === ledger.sentAt.size;
  return {
    delivered: ledger.deliveries.size,
    deliveredTwice,
    neverDelivered,
    completedInDatabase,
    exactlyOnce,
    problems,
  };
}

/** Miners the coordinator would not list as OFFLINE: a heartbeat within the lease TTL. */
async function minersOnline(pool: Pool, leaseTtlSeconds: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM miners
     WHERE status = 'ONLINE' AND last_heartbeat >= now() - make_interval(secs => $1)`,
    [leaseTtlSeconds],
  );
  return rows[0].n;
}

function dispatchLatencies(ledger: JobLedger): number[] {
  const latencies: number[] = [];
  for (const [jobId, sentAt] of ledger.sentAt) {
    const first = ledger.deliveries.get(jobId)?.[0];
    if (first) {
      latencies.push(first.at - sentAt);
    }
  }
  return latencies;
}

// ---------------------------------------------------------------------------------------------
// report

function verdictOf(result: Omit<MinersBenchResult, 'verdict'>, settings: MinersBenchSettings) {
  const reasons: string[] = [];
  if (result.registration.ok < TARGETS.miners) {
    reasons.push(`${result.registration.ok} miners registered, the target is ${TARGETS.miners}`);
  }
  if (result.registration.ok < settings.miners) {
    reasons.push(`${settings.miners - result.registration.ok} of ${settings.miners} registrations failed`);
  }
  if (result.errors.total > TARGETS.errors) {
    reasons.push(`${result.errors.total} errors`);
  }
  if (!result.jobs.exactlyOnce) {
    reasons.push('not every job was handed to exactly one miner and completed');
  }
  if (result.minersOnlineAtEnd < result.registration.ok) {
    reasons.push(`${result.registration.ok - result.minersOnlineAtEnd} miners were OFFLINE at the end`);
  }
  return reasons.length === 0
    ? { meets: true, reason: `${result.registration.ok} miners held ${result.hold.seconds} s, 0 errors` }
    : { meets: false, reason: reasons.join('; ') };
}

const thousands = (value: number) => value.toLocaleString('en-US');
const quantiles = (stats: LatencyStats) =>
  [stats.p50Ms, stats.p90Ms, stats.p99Ms, stats.maxMs].map((value) => fixed(value)).join(' / ');

function printReport(result: MinersBenchResult): void {
  const { machine, postgres, settings } = result;
  console.log('');
  console.log(`Miners held by one coordinator — ${result.startedAt}`);
  console.log(
    `machine: ${machine.nproc} cpu(s) (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, node ${machine.node}`,
  );
  console.log(`postgres: ${postgres.version}`);
  const checkout = result.git
    ? `${result.git.commit} (+ ${result.git.modifiedFiles} modified tracked file(s)) at the time of the run`
    : 'unknown';
  console.log(`checkout: ${checkout}; coordinator built ${result.coordinatorBuiltAt}`);
  console.log(
    `coordinator: pool ${result.coordinator.poolSize}, heartbeat interval ${settings.heartbeatIntervalSeconds} s, ` +
      `lease TTL ${settings.leaseTtlSeconds} s, LOG_LEVEL=warn, rate limits raised`,
  );
  console.log(
    `method: ${thousands(settings.miners)} miners join over ${settings.rampSeconds} s ` +
      `(${settings.registerConnections} registrations at a time), then a ${settings.fleetSeconds} s hold; ` +
      `heartbeats every ${settings.heartbeatIntervalSeconds} s ±${HEARTBEAT_JITTER * 100} %, one long-poll ` +
      `(max_wait_seconds ${settings.pollWaitSeconds}) always open; ${settings.jobs} jobs over the first ` +
      `${JOB_WINDOW_SHARE * 100} % of the hold`,
  );
  console.log('');
  const countedRow = (label: string, counted: Counted) => [
    label,
    thousands(counted.sent),
    thousands(counted.ok),
    fixed(counted.latency.p50Ms),
    fixed(counted.latency.p99Ms),
    fixed(counted.latency.maxMs),
  ];
  printTable(
    ['requests (ramp + hold)', 'sent', 'ok', 'p50 ms', 'p99 ms', 'max ms'],
    [
      countedRow('register', result.registration),
      countedRow('heartbeat', result.heartbeats),
      countedRow('result', result.results),
    ],
    [24, 8, 8, 8, 8, 8],
  );
  console.log(
    `registration: ${result.registration.perSecond}/s over ${result.registration.seconds} s; long-polls answered ` +
      `200: ${thousands(result.polls.answered200)}, 204: ${thousands(result.polls.answered204)} (a 204 took ` +
      `${fixed(result.polls.emptyPollSeconds.p50)} s p50, ${fixed(result.polls.emptyPollSeconds.p99)} s p99, ` +
      `${fixed(result.polls.emptyPollSeconds.max)} s max); ${thousands(result.polls.openAtEnd)} open at the end`,
  );
  console.log('');
  const jobs = result.jobs;
  const cpu = result.cpu.hold;
  const rows: string[][] = [
    [
      'miners registered / online at the end',
      `${thousands(result.registration.ok)} / ${thousands(result.minersOnlineAtEnd)}`,
    ],
    ['hold', `${result.hold.seconds} s`],
    ['errors (must be 0)', String(result.errors.total)],
    [
      `long-polls waiting (${result.waitingPolls.samples} scrapes of /metrics)`,
      `${result.waitingPolls.min}–${result.waitingPolls.max}`,
    ],
    ['/metrics scrape p50 / max ms', `${fixed(result.metricsScrapeMs.p50Ms)} / ${fixed(result.metricsScrapeMs.maxMs)}`],
    ['jobs submitted / accepted / delivered', `${jobs.submitted} / ${jobs.accepted} / ${jobs.delivered}`],
    ['jobs handed to exactly one miner, completed', jobs.exactlyOnce ? 'yes' : 'NO'],
    ['submit (201) p50 / p90 / p99 / max ms', quantiles(jobs.submit)],
    ['dispatch p50 / p90 / p99 / max ms', quantiles(jobs.dispatch)],
    ['coordinator CPU, hold (% of one core)', fixed(cpu.coordinatorCorePct, 1)],
    ['Postgres CPU, hold (% of one core)', fixed(cpu.postgresCorePct, 1)],
    ['bench CPU, hold (% of one core)', fixed(cpu.benchCorePct, 1)],
    [
      'machine busy / other / steal, hold (% of all cores)',
      `${fixed(cpu.machineBusyPct, 0)} / ${fixed(cpu.unattributedPct, 0)} / ${fixed(cpu.stealPct, 0)}`,
    ],
    [
      `coordinator peak RSS (every ${RSS_SAMPLE_MS} ms) / VmHWM MB`,
      `${result.rss.peakSampledMb} / ${result.rss.vmHwmMb}`,
    ],
    ['coordinator open fds, peak', thousands(result.fds.coordinatorPeak)],
    [
      'Postgres connections: pool peak (busy) + listener',
      `${result.postgresConnections.poolPeak} (${result.postgresConnections.poolBusyPeak}) + ` +
        `${result.postgresConnections.listener}`,
    ],
    [
      'bench event-loop delay p50 / p99 / max ms',
      `${result.benchEventLoopDelayMs.p50} / ${result.benchEventLoopDelayMs.p99} / ${result.benchEventLoopDelayMs.max}`,
    ],
  ];
  printTable(['fleet', 'value'], rows, [50, 30]);
  console.log(
    `RSS by phase (MB): ${Object.entries(result.rss.peakByPhaseMb)
      .map(([phase, value]) => `${phase} ${value}`)
      .join(', ')}; coordinator CPU over the whole run ${result.cpu.coordinatorTotalSeconds} s`,
  );
  if (result.errors.total > 0) {
    console.log(
      `errors by kind: ${Object.entries(result.errors.byKind)
        .map(([kind, count]) => `${kind} × ${count}`)
        .join(', ')}`,
    );
    result.errors.samples.forEach((sample) => console.log(`  ${sample}`));
  }
  jobs.problems.forEach((problem) => console.log(`job problem: ${problem}`));
  console.log('');
  console.log(
    `target: ${TARGETS.miners} miners held, ${TARGETS.errors} errors — ${result.verdict.meets ? 'MET' : 'MISSED'}: ` +
      result.verdict.reason,
  );
  console.log('');
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

// ---------------------------------------------------------------------------------------------
// the whole run

function progress(message: string): void {
  process.stderr.write(`miners bench: ${message}\n`);
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

/** The soft limit on open files of this process (`ulimit -n`), from /proc; null if unknown. */
function openFilesLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Every PROGRESS_EVERY_MS while the fleet runs: what it has done so far, and the commonest errors. */
function reportProgress(fleet: Fleet, ledger: JobLedger, coordinator: CoordinatorProcess): () => void {
  const started = performance.now();
  const timer = setInterval(() => {
    const kinds = [...fleet.errors.byKind.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([kind, count]) => `${kind} × ${count}`);
    progress(
      `${round((performance.now() - started) / 1000, 0)} s: ${fleet.registrations.ok} registered, heartbeats ` +
        `${fleet.heartbeats.ok}, polls ${fleet.polls200} + ${fleet.polls204} empty, open ${fleet.openPolls}, jobs ` +
        `${ledger.deliveries.size}/${ledger.submitted}, errors ${fleet.errors.total}` +
        `${kinds.length ? ` (${kinds.join(', ')})` : ''}, RSS ${mb(statusKb(coordinator.pid, 'VmRSS') ?? 0)} MB`,
    );
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Runs the whole benchmark once, prints the table and the `BENCH_RESULT` line, returns the numbers. */
export async function runMinersBench(env: NodeJS.ProcessEnv = process.env): Promise<MinersBenchResult> {
  const settings = readSettings(env);
  const startedAt = new Date();
  const mainJs = coordinatorMainJs();
  const database = databaseNameOf(settings.databaseUrl);
  const redisDb = redisDbOf(settings.redisUrl, REDIS_ENV);
  const fileLimit = openFilesLimit();
  if (fileLimit !== null && fileLimit < 2 * settings.miners + 256) {
    progress(
      `warning: ulimit -n is ${fileLimit}; ${settings.miners} miners may need up to ${2 * settings.miners + 256} ` +
        'open files here and in the coordinator (a long-poll and a heartbeat each), or fail with EMFILE',
    );
  }
  progress(`recreating database ${database}, flushing Redis db ${redisDb}`);
  await recreateDatabase(settings.databaseUrl);
  await flushRedis(settings.redisUrl, REDIS_ENV);
  const port = await freePort();
  const target: Target = { port };
  const coordinator = CoordinatorProcess.start(mainJs, coordinatorEnv(settings, port));
  const unguard = guardChild(coordinator, 'miners');
  const rss = new RssSampler(coordinator.pid);
  const pool = new Pool({ connectionString: settings.databaseUrl, max: 2, application_name: 'aitbc-miners-bench' });
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  const ledger = new JobLedger();
  const fleet = new Fleet(target, settings, ledger);
  const sampler = new FleetSampler(target, pool, database, coordinator, fleet.errors);
  let stopProgress = () => {};
  try {
    progress(`starting the coordinator (pid ${coordinator.pid}) on ${HOST}:${port}`);
    await waitUntilReady(target, coordinator);
    const postgres = await readPostgresInfo(pool);

    rss.enter('ramp');
    stopProgress = reportProgress(fleet, ledger, coordinator);
    sampler.start();
    loopDelay.enable();
    progress(`${settings.miners} miners joining over ${settings.rampSeconds} s…`);
    const registrationSeconds = await joinFleet(fleet, settings, coordinator);
    coordinator.assertRunning();

    rss.enter('hold');
    sampler.startWaitingPolls();
    progress(
      `${fleet.registrations.ok} miners in after ${round(registrationSeconds, 1)} s; holding them ` +
        `${settings.fleetSeconds} s, ${settings.jobs} jobs…`,
    );
    const holdFrom = cpuSnapshot(coordinator.pid);
    const submitting = submitJobs(target, ledger, fleet.errors, settings, coordinator);
    submitting.catch(() => undefined); // awaited below
    await watchfulSleep(settings.fleetSeconds * 1000, coordinator);
    const holdTo = cpuSnapshot(coordinator.pid);
    await submitting;
    // the last jobs have had 20 % of the hold to come back; give stragglers a little longer
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (ledger.outstanding > 0 && performance.now() < deadline) {
      await sleep(50);
    }

    rss.enter('end');
    stopProgress();
    await sampler.stop();
    loopDelay.disable();
    const openAtEnd = await fleet.stop();
    const vmHwmKb = statusKb(coordinator.pid, 'VmHWM') ?? 0;
    const online = await minersOnline(pool, settings.leaseTtlSeconds);
    const checked = await checkJobs(pool, ledger);
    const coordinatorTotalSeconds = round((processTicks(coordinator.pid)?.ticks ?? 0) / CLOCK_TICKS_PER_SECOND, 1);
    rss.stop();
    const exit = await coordinator.stop();
    const emptySeconds = [...fleet.emptyPollMs].sort((a, b) => a - b).map((ms) => ms / 1000);
    const pick = (p: number) => round(percentile(emptySeconds, p), 2);
    const registration = fleet.registrations.result();
    const { databaseUrl: _databaseUrl, redisUrl: _redisUrl, ...rest } = settings;
    const partial: Omit<MinersBenchResult, 'verdict'> = {
      bench: 'miners',
      startedAt: startedAt.toISOString(),
      git: gitInfo(),
      coordinatorBuiltAt: builtAt(mainJs),
      machine: machineInfo(),
      postgres,
      coordinator: { pid: coordinator.pid, poolSize: settings.coordinatorPoolSize ?? 20, exit },
      settings: { ...rest, database, redisDb },
      registration: {
        ...registration,
        seconds: round(registrationSeconds, 2),
        perSecond: round(registration.ok / registrationSeconds, 1),
      },
      hold: { seconds: round((holdTo.at - holdFrom.at) / 1000, 1) },
      heartbeats: fleet.heartbeats.result(),
      polls: {
        answered200: fleet.polls200,
        answered204: fleet.polls204,
        emptyPollSeconds: { p50: pick(0.5), p99: pick(0.99), max: pick(1) },
        openAtEnd,
      },
      results: fleet.results.result(),
      errors: {
        total: fleet.errors.total,
        byKind: Object.fromEntries(fleet.errors.byKind),
        samples: fleet.errors.samples,
      },
      jobs: {
        submitted: ledger.submitted,
        accepted: ledger.sentAt.size,
        ...checked,
        submit: latencyStats(ledger.submitLatenciesMs),
        dispatch: latencyStats(dispatchLatencies(ledger)),
      },
      minersOnlineAtEnd: online,
      waitingPolls: {
        min: sampler.waiting.samples > 0 ? sampler.waiting.min : Number.NaN,
        max: sampler.waiting.max,
        samples: sampler.waiting.samples,
      },
      metricsScrapeMs: latencyStats(sampler.scrapeMs),
      cpu: { hold: cpuLoadBetween(holdFrom, holdTo), coordinatorTotalSeconds },
      rss: {
        peakSampledMb: mb(rss.peakKb),
        vmHwmMb: mb(vmHwmKb),
        samples: rss.samples,
        peakByPhaseMb: Object.fromEntries(Object.entries(rss.peakByPhaseKb).map(([phase, kb]) => [phase, mb(kb)])),
      },
      fds: { coordinatorPeak: sampler.fdPeak },
      postgresConnections: sampler.connections,
      benchEventLoopDelayMs: {
        p50: loopDelayMs(loopDelay.percentile(50)),
        p99: loopDelayMs(loopDelay.percentile(99)),
        max: loopDelayMs(loopDelay.max),
      },
    };
    const result: MinersBenchResult = { ...partial, verdict: verdictOf(partial, settings) };
    printReport(result);
    return result;
  } catch (error) {
    if (coordinator.output().trim() !== '') {
      progress(`coordinator output (last ${OUTPUT_TAIL_CHARS} characters):\n${coordinator.output()}`);
    }
    throw error;
  } finally {
    stopProgress();
    rss.stop();
    loopDelay.disable();
    await sampler.stop();
    if (!fleet.stopping) {
      await fleet.stop().catch(() => undefined);
    }
    await pool.end().catch(() => undefined);
    await coordinator.stop();
    unguard();
  }
}

if (require.main === module) {
  runMinersBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
