/*
 * What the benches that start a real coordinator share (http.bench.ts, miners.bench.ts): the coordinator as a child
 * process, its RSS and CPU (and Postgres's and the machine's) from /proc, a small keep-alive HTTP client, and the
 * preparation of a throw-away database and Redis db.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { databaseNameOf, quoteIdent, round, withClient, withDatabase } from './bench-support';

export const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;
export const RSS_SAMPLE_MS = 100;
export const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64 (`getconf CLK_TCK`)
export const OUTPUT_TAIL_CHARS = 8_000;

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  totalMemoryGiB: number;
  platform: string;
  node: string;
}

export interface PostgresInfo {
  version: string;
  synchronousCommit: string;
  fsync: string;
  sharedBuffers: string;
}

/** the checkout at the time of the run (modifiedFiles: tracked files changed since that commit) */
export type GitInfo = { commit: string; modifiedFiles: number } | null;

/** `dist/apps/coordinator/src/main.js`, next to the compiled bench; throws if it was not built. */
/** Fixed keys and signing seed of the coordinator under a bench. */
export const BENCH_RECEIPT_SIGNING_KEY_HEX = '5eed'.repeat(16);

export interface BenchCoordinatorOptions {
  port: number;
  databaseUrl: string;
  redisUrl: string;
  keys: { client: string; miner: string; admin: string };
  /** the name of the miner key (`name:key`), so miner ids are `<name>/<X-Miner-ID>` */
  minerKeyName: string;
  poolSize: number | null;
  nodeOptions: string | null;
  /** anything else the bench sets (heartbeat interval, lease time …) */
  extra?: NodeJS.ProcessEnv;
}

/**
 * The environment of a coordinator under a bench: production mode, warn-level logs, fixed keys, and
 * every rate limit raised, so a bench measures the coordinator, never the limiter.
 */
export function benchCoordinatorEnv(options: BenchCoordinatorOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    APP_ENV: 'bench',
    HOST,
    PORT: String(options.port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    MIGRATIONS_RUN: 'true',
    CLIENT_API_KEYS: `bench-client:${options.keys.client}`,
    MINER_API_KEYS: `${options.minerKeyName}:${options.keys.miner}`,
    ADMIN_API_KEYS: `bench-ops:${options.keys.admin}`,
    RECEIPT_SIGNING_KEY_HEX: BENCH_RECEIPT_SIGNING_KEY_HEX,
    RATE_LIMIT_CLIENT_PER_MINUTE: '10000000',
    RATE_LIMIT_MINER_PER_MINUTE: '10000000',
    RATE_LIMIT_ADMIN_PER_MINUTE: '10000000',
    // the checkout's service registry, wherever the bench is started from (dist/bench → the repository)
    REGISTRY_DIR: process.env.REGISTRY_DIR ?? join(__dirname, '..', '..', 'apps', 'coordinator', 'registry.d'),
    ...options.extra,
  };
  if (options.poolSize !== null) {
    env.DATABASE_POOL_SIZE = String(options.poolSize);
  }
  if (options.nodeOptions !== null) {
    env.NODE_OPTIONS = options.nodeOptions;
  }
  return env;
}

export function coordinatorMainJs(): string {
  const mainJs = join(__dirname, '..', 'apps', 'coordinator', 'src', 'main.js');
  if (!existsSync(mainJs)) {
    throw new Error(`${mainJs} is missing: run npm run build first`);
  }
  return mainJs;
}

export interface CpuUsage {
  /** CPU milliseconds per counted operation */
  coordinatorMsPerOp: number;
  postgresMsPerOp: number;
  benchMsPerOp: number;
  /** share of all cores busy (user + system + …, not idle, iowait or steal) over the window */
  machineBusyPct: number;
  /**
   * share of all cores busy but not in the coordinator, Postgres or the bench: interrupts and softirqs
   * (loopback TCP) and any other process on the machine. High in a latency case = a disturbed run.
   */
  unattributedPct: number;
  stealPct: number;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc: the coordinator, every postgres process, this process, the machine

export interface CpuSnapshot {
  at: number;
  coordinatorTicks: number;
  /** per postgres process: a backend that exits in a window loses that window's share, never more */
  postgresTicks: Map<number, number>;
  benchMicros: number;
  machine: { busy: number; steal: number; total: number };
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function processTicks(pid: number): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // gone meanwhile
  }
}

function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) {
      const proc = processTicks(Number(entry));
      if (proc?.comm === 'postgres') {
        ticks.set(Number(entry), proc.ticks);
      }
    }
  }
  return ticks;
}

function postgresTicksBetween(from: Map<number, number>, to: Map<number, number>): number {
  let total = 0;
  for (const [pid, ticks] of to) {
    total += ticks - (from.get(pid) ?? 0);
  }
  return total;
}

function machineTicks(): CpuSnapshot['machine'] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, steal: steal ?? 0, total: busy + idle + iowait + (steal ?? 0) };
}

export function cpuSnapshot(coordinatorPid: number): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    coordinatorTicks: processTicks(coordinatorPid)?.ticks ?? 0,
    postgresTicks: postgresTicks(),
    benchMicros: usage.user + usage.system,
    machine: machineTicks(),
  };
}

/** CPU load over a window: processes in % of one core (200 = both cores of a 2-core machine), the machine in %. */
export interface CpuLoad {
  seconds: number;
  coordinatorCorePct: number;
  postgresCorePct: number;
  benchCorePct: number;
  /** share of all cores busy (user + system + …, not idle, iowait or steal) */
  machineBusyPct: number;
  /** share of all cores busy but in none of the three: interrupts, softirqs (loopback TCP), other processes */
  unattributedPct: number;
  stealPct: number;
}

export function cpuLoadBetween(from: CpuSnapshot, to: CpuSnapshot): CpuLoad {
  const seconds = (to.at - from.at) / 1000;
  const corePct = (ticks: number) =>
    round(seconds > 0 ? (100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds : Number.NaN, 1);
  const total = to.machine.total - from.machine.total;
  const share = (ticks: number) => round(total > 0 ? (100 * ticks) / total : Number.NaN, 1);
  const coordinatorTicks = to.coordinatorTicks - from.coordinatorTicks;
  const postgres = postgresTicksBetween(from.postgresTicks, to.postgresTicks);
  const benchTicks = (to.benchMicros - from.benchMicros) / (1_000_000 / CLOCK_TICKS_PER_SECOND);
  const busy = to.machine.busy - from.machine.busy;
  return {
    seconds: round(seconds, 3),
    coordinatorCorePct: corePct(coordinatorTicks),
    postgresCorePct: corePct(postgres),
    benchCorePct: corePct(benchTicks),
    machineBusyPct: share(busy),
    unattributedPct: share(Math.max(0, busy - coordinatorTicks - postgres - benchTicks)),
    stealPct: share(to.machine.steal - from.machine.steal),
  };
}

export function cpuUsageBetween(from: CpuSnapshot, to: CpuSnapshot, ops: number): CpuUsage {
  const perOp = (ms: number) => round(ops > 0 ? ms / ops : Number.NaN, 3);
  const tickMs = 1000 / CLOCK_TICKS_PER_SECOND;
  const total = to.machine.total - from.machine.total;
  const share = (ticks: number) => round(total > 0 ? (100 * ticks) / total : Number.NaN, 1);
  const coordinatorTicks = to.coordinatorTicks - from.coordinatorTicks;
  const postgres = postgresTicksBetween(from.postgresTicks, to.postgresTicks);
  const benchTicks = (to.benchMicros - from.benchMicros) / (1_000_000 / CLOCK_TICKS_PER_SECOND);
  const busy = to.machine.busy - from.machine.busy;
  return {
    coordinatorMsPerOp: perOp(coordinatorTicks * tickMs),
    postgresMsPerOp: perOp(postgres * tickMs),
    benchMsPerOp: perOp(benchTicks * tickMs),
    machineBusyPct: share(busy),
    unattributedPct: share(Math.max(0, busy - coordinatorTicks - postgres - benchTicks)),
    stealPct: share(to.machine.steal - from.machine.steal),
  };
}

// ---------------------------------------------------------------------------------------------
// the coordinator process

export class CoordinatorProcess {
  private tail = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
      child.once('error', (error) => {
        this.tail += `\nspawn error: ${error.message}`;
        this.exitInfo ??= { code: null, signal: null };
        resolve();
      });
    });
  }

  static start(mainJs: string, env: NodeJS.ProcessEnv): CoordinatorProcess {
    const child = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new CoordinatorProcess(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  describeExit(): string {
    if (this.exitInfo === null) {
      return 'running';
    }
    return this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `exit code ${this.exitInfo.code}`;
  }

  output(): string {
    return this.tail;
  }

  /** Throws if the coordinator is gone: a bench must not keep measuring connection errors. */
  assertRunning(): void {
    if (!this.running) {
      throw new Error(`the coordinator stopped (${this.describeExit()})`);
    }
  }

  /** SIGTERM, wait for it to exit, SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<string> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
      if ((await Promise.race([this.exited.then(() => 'exited' as const), timer])) === 'timeout') {
        this.child.kill('SIGKILL');
        await this.exited;
        return `killed after ${timeoutMs} ms (${this.describeExit()})`;
      }
    }
    return this.describeExit();
  }

  /** Synchronous last resort (process 'exit' handler). */
  killNow(): void {
    if (this.running) {
      this.child.kill('SIGKILL');
    }
  }
}

/** Makes sure the coordinator does not outlive the bench: on exit, SIGINT and SIGTERM. */
export function guardChild(coordinator: CoordinatorProcess, bench: string): () => void {
  const onExit = () => coordinator.killNow();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${bench} bench: ${signal}, stopping the coordinator\n`);
    void coordinator.stop(5_000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// RSS of the coordinator, sampled from /proc/<pid>/status

export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export class RssSampler {
  phase = 'boot';
  samples = 0;
  peakKb = 0;
  readonly peakByPhaseKb: Record<string, number> = {};
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
    this.timer.unref();
  }

  sample(): void {
    const kb = statusKb(this.pid, 'VmRSS');
    if (kb === null) {
      return;
    }
    this.samples++;
    this.peakKb = Math.max(this.peakKb, kb);
    this.peakByPhaseKb[this.phase] = Math.max(this.peakByPhaseKb[this.phase] ?? 0, kb);
  }

  enter(phase: string): void {
    this.sample();
    this.phase = phase;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------
// a small keep-alive HTTP client (node:http, one Agent per simulated party)

export interface HttpResponse {
  status: number;
  body: string;
  /** performance.now() when the whole response had arrived */
  endedAt: number;
}

export interface Target {
  port: number;
}

export function send(
  target: Target,
  agent: Agent,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<HttpResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const allHeaders: Record<string, string | number> = { accept: 'application/json', ...headers };
  if (payload !== undefined) {
    allHeaders['content-type'] = 'application/json';
    allHeaders['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port: target.port, method, path, headers: allHeaders, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          endedAt: performance.now(),
        });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.once('error', reject);
    req.end(payload);
  });
}

export function json<T>(response: HttpResponse): T {
  return JSON.parse(response.body) as T;
}

export function expectStatus(response: HttpResponse, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${response.body.slice(0, 300)}`);
  }
}

export async function waitUntilReady(target: Target, coordinator: CoordinatorProcess): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  try {
    while (Date.now() < deadline) {
      coordinator.assertRunning();
      try {
        const res = await send(target, agent, 'GET', '/health/ready', {});
        if (res.status === 200) {
          return;
        }
        last = `${res.status} ${res.body.slice(0, 200)}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(200);
    }
  } finally {
    agent.destroy();
  }
  throw new Error(`the coordinator was not ready within ${READY_TIMEOUT_MS} ms (last: ${last})`);
}

/** Drops and recreates the bench database (empty; the coordinator migrates it at boot). */
export async function recreateDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  if (!name.toLowerCase().includes('bench')) {
    throw new Error(`refusing to benchmark database "${name}": its name must contain "bench" (it is dropped)`);
  }
  await withClient(withDatabase(url, 'postgres'), async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
}

/** The db number of a Redis URL; `envName` names the setting in the error (db 0 is refused: it is flushed). */
export function redisDbOf(url: string, envName: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  const db = Number(path);
  if (path === '' || !Number.isInteger(db) || db <= 0) {
    throw new Error(`${envName} must name a Redis database other than 0 (e.g. /14): it is flushed`);
  }
  return db;
}

export async function flushRedis(url: string, envName: string): Promise<void> {
  redisDbOf(url, envName);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** When `npm run build` last wrote something (tsc is incremental: unchanged outputs keep their mtime). */
export function builtAt(mainJs: string): string {
  const buildInfo = join(__dirname, '..', '.tsbuildinfo-build');
  return statSync(existsSync(buildInfo) ? buildInfo : mainJs).mtime.toISOString();
}

/** Read-only: `--no-optional-locks` keeps `git status` from refreshing the index. */
export function gitInfo(): GitInfo {
  const cwd = join(__dirname, '..', '..');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD').trim();
    const status = git('--no-optional-locks', 'status', '--porcelain', '--untracked-files=no');
    return { commit, modifiedFiles: status.split('\n').filter((line) => line.trim() !== '').length };
  } catch {
    return null;
  }
}

export async function readPostgresInfo(pool: Pool): Promise<PostgresInfo> {
  const show = async (setting: string): Promise<string> => {
    const { rows } = await pool.query<Record<string, string>>(`SHOW ${setting}`);
    return rows[0][setting];
  };
  const { rows } = await pool.query<{ version: string }>('SELECT version()');
  return {
    version: rows[0].version,
    synchronousCommit: await show('synchronous_commit'),
    fsync: await show('fsync'),
    sharedBuffers: await show('shared_buffers'),
  };
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryGiB: round(totalmem() / 2 ** 30, 1),
    platform: platform(),
    node: process.version,
  };
}

export const mb = (kb: number) => round(kb / 1024, 1);
