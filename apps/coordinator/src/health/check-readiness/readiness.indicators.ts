import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { queueBackendKind } from '../../queue/queue-connection';
import { MAINTENANCE_QUEUE } from '../../queue/queue.names';

const CHECK_TIMEOUT_MS = 2000;

/** Each dependency the coordinator cannot serve without, checked with a real round trip. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  database(): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.pool.query('SELECT 1');
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  queueBackend(): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check('queue')
      .attempt(async () => {
        await this.queue.getJobCounts('waiting');
        return { backend: queueBackendKind(this.config) };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
