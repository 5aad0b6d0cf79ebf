import { Controller, Get, Header, Inject } from '@nestjs/common';
import { MinerAgent } from '../agent/miner-agent';
import type { MinerConfig } from '../config';
import { MINER_CONFIG } from '../tokens';
import { DASHBOARD_HTML } from './dashboard.html';
import { minerStatus, prometheusText } from './miner-status';

@Controller()
export class StatusController {
  constructor(
    private readonly agent: MinerAgent,
    @Inject(MINER_CONFIG) private readonly config: MinerConfig,
  ) {}

  /** Liveness, and whether the coordinator can be reached (the container healthcheck reads it). */
  @Get('healthz')
  healthz() {
    return {
      status: 'ok',
      state: this.agent.state,
      miner_id: this.agent.minerId ?? this.config.minerId,
      coordinator: {
        url: this.config.coordinatorUrl,
        state: this.agent.coordinator,
        last_contact_at: this.agent.lastContactAt?.toISOString() ?? null,
      },
      running_jobs: this.agent.executor.running.size,
    };
  }

  @Get('v1/status')
  status() {
    return minerStatus(this.agent, this.config);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return prometheusText(await minerStatus(this.agent, this.config));
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  dashboard(): string {
    return DASHBOARD_HTML;
  }
}
