import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MAINTENANCE_QUEUE } from './queue.names';

const QUIET_MS = 30_000;

/**
 * BullMQ prints every connection error to stderr when nobody listens. While the backend is down
 * that is one line per retry; this logs the first error, then at most one line per 30 s.
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger('queue');
  private lastLogged = 0;
  private suppressed = 0;

  constructor(@InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue) {}

  onModuleInit(): void {
    this.maintenance.on('error', (error: Error) => this.report(error));
  }

  private report(error: Error): void {
    const now = Date.now();
    if (now - this.lastLogged < QUIET_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} similar errors suppressed)` : '';
    this.logger.error(`queue backend error: ${error.message}${more}`);
    this.lastLogged = now;
    this.suppressed = 0;
  }
}
