import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { Gauge } from 'prom-client';
import { GetStatsQuery } from '../../admin/get-stats/get-stats.query';
import { JobAvailableListener } from '../../jobs/dispatch/job-available.listener';
import { METRICS } from '../metrics.tokens';
import type { CoordinatorMetrics } from '../metrics.registry';
import { GetMetricsQuery } from './get-metrics.query';

const STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'] as const;

/**
 * Domain gauges come from the same read model as `GET /v1/admin/stats` (one query per scrape), so
 * the dashboard and Prometheus never disagree.
 */
@QueryHandler(GetMetricsQuery)
export class GetMetricsHandler implements IQueryHandler<GetMetricsQuery, string> {
  private readonly jobs: Gauge<'state'>;
  private readonly miners: Gauge<'status'>;
  private readonly waitingPolls: Gauge;
  private readonly avgJobMs: Gauge;

  constructor(
    @Inject(METRICS) private readonly metrics: CoordinatorMetrics,
    private readonly queries: QueryBus,
    private readonly available: JobAvailableListener,
  ) {
    const registers = [metrics.registry];
    this.jobs = new Gauge({ name: 'aitbc_jobs', help: 'Jobs by state.', labelNames: ['state'], registers });
    this.miners = new Gauge({
      name: 'aitbc_miners',
      help: 'Miners: online (heartbeating within the lease time) and registered.',
      labelNames: ['status'],
      registers,
    });
    this.waitingPolls = new Gauge({
      name: 'aitbc_dispatch_waiting_polls',
      help: 'Miner long-polls waiting on this coordinator.',
      registers,
    });
    this.avgJobMs = new Gauge({
      name: 'aitbc_miner_job_duration_avg_milliseconds',
      help: 'Average duration of completed jobs across miners.',
      registers,
    });
  }

  async execute(): Promise<string> {
    const stats = await this.queries.execute(new GetStatsQuery());
    const byState: Record<(typeof STATES)[number], number> = {
      QUEUED: stats.queued,
      RUNNING: stats.running,
      COMPLETED: stats.completed,
      FAILED: stats.failed,
      CANCELED: stats.canceled,
      EXPIRED: stats.expired,
    };
    for (const state of STATES) {
      this.jobs.set({ state }, byState[state]);
    }
    this.miners.set({ status: 'online' }, stats.online_miners);
    this.miners.set({ status: 'registered' }, stats.registered_miners);
    this.waitingPolls.set(this.available.waiting);
    this.avgJobMs.set(stats.avg_miner_job_duration_ms ?? 0);
    return this.metrics.registry.metrics();
  }
}
