import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { EventStore, Projection, ProjectionRunner } from '@aitbc/event-store';
import { CONFIG, type CoordinatorConfig } from '../config';
import { PG_POOL } from '../database/database.module';
import { PROJECTIONS } from './projections';

export const PROJECTION_LIST = Symbol('PROJECTION_LIST');

/**
 * Runs every async projection on coordinators whose role includes background work. Each consumer
 * is active in exactly one process at a time (the runner's advisory lock); the others stand by and
 * take over if it dies.
 */
@Injectable()
export class ProjectionRunnersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('projections');
  private readonly runners: ProjectionRunner[] = [];

  constructor(
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: EventStore,
    @Inject(PROJECTION_LIST) private readonly projections: readonly Projection[],
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') {
      return;
    }
    const names = new Set<string>();
    for (const projection of this.projections) {
      if (names.has(projection.name)) {
        throw new Error(`projection "${projection.name}" is listed twice`);
      }
      names.add(projection.name);
      const runner = new ProjectionRunner(this.pool, this.store, projection, { logger: this.logger });
      runner.start();
      this.runners.push(runner);
    }
  }

  /** Wakes the runners now, e.g. after a local append, instead of at their next idle check. */
  poke(): void {
    this.runners.forEach((runner) => runner.poke());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    this.runners.length = 0;
  }
}

export const PROJECTION_PROVIDERS = [{ provide: PROJECTION_LIST, useValue: PROJECTIONS }, ProjectionRunnersService];
