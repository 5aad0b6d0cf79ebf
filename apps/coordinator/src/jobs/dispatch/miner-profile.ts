import type { Queryable } from '@aitbc/event-store';
import type { JobRequirements } from '../job.events';

/** What dispatch needs to know of a miner, as stored in the `miners` read model. */
export interface MinerProfile {
  miner_id: string;
  status: 'ONLINE' | 'DRAINING' | 'OFFLINE';
  gpu_names: string[];
  max_vram_mb: number | null;
  cuda: number | null;
  models: string[];
  services: string[];
  price_micro: number;
  region: string | null;
  concurrency: number;
  inflight: number;
}

const PROFILE_COLUMNS = `m.miner_id, m.status, m.gpu_names, m.max_vram_mb, m.cuda, m.models, m.services,
  m.price_micro::float8 AS price_micro, m.region, m.concurrency,
  (SELECT count(*)::int FROM job_leases l WHERE l.miner_id = m.miner_id) AS inflight`;

/**
 * The miner's profile. With `lock`, its row lock is taken first, so one miner's concurrent polls run
 * one at a time; the profile is then read by a second statement, whose snapshot (READ COMMITTED)
 * includes the leases written by the poll that held the lock before us. Reading the lease count in
 * the locking statement itself would see the snapshot from before the wait, and let a miner exceed
 * its concurrency.
 */
export async function readMinerProfile(db: Queryable, minerId: string, lock = false): Promise<MinerProfile | null> {
  if (lock) {
    const locked = await db.query('SELECT 1 FROM miners WHERE miner_id = $1 FOR UPDATE', [minerId]);
    if (locked.rowCount === 0) {
      return null;
    }
  }
  const { rows } = await db.query<MinerProfile>(`SELECT ${PROFILE_COLUMNS} FROM miners m WHERE m.miner_id = $1`, [
    minerId,
  ]);
  return rows[0] ?? null;
}

/**
 * The same rules as the dispatch query, in memory: used only to decide which waiting miners to wake
 * when a job becomes available (a wrong guess costs one dispatch attempt, never a wrong assignment).
 */
export function couldRun(miner: MinerProfile, job: JobRequirements): boolean {
  const has = (list: string[], wanted: string[]) => wanted.every((item) => list.includes(item));
  return (
    has(miner.models, job.models) &&
    has(miner.services, job.services) &&
    (job.gpu === null || miner.gpu_names.some((name) => name.includes(job.gpu!))) &&
    (job.min_vram_mb === null || (miner.max_vram_mb ?? 0) >= job.min_vram_mb) &&
    (job.min_cuda === null || (miner.cuda ?? 0) >= job.min_cuda) &&
    (job.region === null || miner.region === job.region) &&
    (job.max_price_micro === null || miner.price_micro <= job.max_price_micro)
  );
}
