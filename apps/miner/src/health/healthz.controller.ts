import { Controller, Get, Inject } from '@nestjs/common';
import { CoordinatorLink } from '../coordinator-link';
import type { MinerConfig } from '../config';
import { MINER_CONFIG } from '../tokens';

@Controller()
export class HealthzController {
  constructor(
    private readonly link: CoordinatorLink,
    @Inject(MINER_CONFIG) private readonly config: MinerConfig,
  ) {}

  /** The daemon is up; says whether it can reach its coordinator. */
  @Get('healthz')
  healthz() {
    return {
      status: 'ok',
      miner_id: this.config.minerId,
      coordinator: { url: this.config.coordinatorUrl, state: this.link.state, checked_at: this.link.lastCheckedAt },
    };
  }
}
