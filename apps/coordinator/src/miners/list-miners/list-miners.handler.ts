import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { AdminMinerDto, AdminMinerListDto, MinerStatusName } from '@aitbc/contracts';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { ListMinersQuery } from './list-miners.query';

interface MinerRow {
  miner_id: string;
  status: MinerStatusName;
  inflight: number;
  concurrency: number;
  region: string | null;
  last_heartbeat: Date;
  jobs_completed: number;
  jobs_failed: number;
  average_job_duration_ms: number | null;
  last_receipt_id: string | null;
}

/**
 * A miner silent for a lease TTL has lost its leases, so it is OFFLINE whatever it declared. The
 * stats come from the async `miner-stats` projection and may trail the jobs by a moment.
 */
const LIST_MINERS_SQL = `
SELECT m.miner_id,
       CASE WHEN m.last_heartbeat < $1 THEN 'OFFLINE' ELSE m.status END AS status,
       (SELECT count(*) FROM job_leases l WHERE l.miner_id = m.miner_id)::int AS inflight,
       m.concurrency, m.region, m.last_heartbeat,
       coalesce(s.jobs_completed, 0) AS jobs_completed,
       coalesce(s.jobs_failed, 0) AS jobs_failed,
       CASE WHEN s.jobs_completed > 0 THEN round(s.total_duration_ms::numeric / s.jobs_completed)::float8 END
         AS average_job_duration_ms,
       s.last_receipt_id
FROM miners m LEFT JOIN miner_stats s ON s.miner_id = m.miner_id
ORDER BY m.miner_id COLLATE "C"`;

@QueryHandler(ListMinersQuery)
export class ListMinersHandler implements IQueryHandler<ListMinersQuery, AdminMinerListDto> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(): Promise<AdminMinerListDto> {
    const offlineBefore = new Date(this.clock.now().getTime() - this.config.miners.leaseTtlSeconds * 1000);
    const { rows } = await this.pool.query<MinerRow>(LIST_MINERS_SQL, [offlineBefore]);
    return { items: rows.map(toAdminMiner) };
  }
}

function toAdminMiner(row: MinerRow): AdminMinerDto {
  return { ...row, last_heartbeat: row.last_heartbeat.toISOString() };
}
