import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { GetStatsQuery } from './get-stats.query';
import type { StatsDto } from './stats.dto';

@QueryHandler(GetStatsQuery)
export class GetStatsHandler implements IQueryHandler<GetStatsQuery, StatsDto> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(): Promise<StatsDto> {
    const onlineSince = new Date(this.clock.now().getTime() - this.config.miners.leaseTtlSeconds * 1000);
    const { rows } = await this.pool.query<Record<string, string | null>>(
      `SELECT
         (SELECT count(*) FROM job_views) AS total_jobs,
         (SELECT count(*) FROM job_views WHERE state = 'QUEUED') AS queued,
         (SELECT count(*) FROM job_views WHERE state = 'RUNNING') AS running,
         (SELECT count(*) FROM job_views WHERE state = 'COMPLETED') AS completed,
         (SELECT count(*) FROM job_views WHERE state = 'FAILED') AS failed,
         (SELECT count(*) FROM job_views WHERE state = 'CANCELED') AS canceled,
         (SELECT count(*) FROM job_views WHERE state = 'EXPIRED') AS expired,
         (SELECT count(*) FROM miners WHERE status <> 'OFFLINE' AND last_heartbeat >= $1) AS online_miners,
         (SELECT count(*) FROM miners) AS registered_miners,
         (SELECT round(sum(total_duration_ms)::numeric / nullif(sum(jobs_completed), 0)) FROM miner_stats)
           AS avg_miner_job_duration_ms`,
      [onlineSince],
    );
    const row = rows[0];
    const n = (key: string) => Number(row[key] ?? 0);
    return {
      total_jobs: n('total_jobs'),
      active_jobs: n('queued') + n('running'),
      queued: n('queued'),
      running: n('running'),
      completed: n('completed'),
      failed: n('failed'),
      canceled: n('canceled'),
      expired: n('expired'),
      online_miners: n('online_miners'),
      registered_miners: n('registered_miners'),
      avg_miner_job_duration_ms: row.avg_miner_job_duration_ms === null ? null : n('avg_miner_job_duration_ms'),
    };
  }
}
