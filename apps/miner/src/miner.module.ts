import {
  BeforeApplicationShutdown,
  DynamicModule,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MinerAgent } from './agent/miner-agent';
import type { MinerConfig } from './config';
import { CoordinatorClient } from './coordinator/coordinator-client';
import { AssignJobController } from './http/assign-job.controller';
import { MinerErrorFilter } from './http/miner-http-error';
import { StatusController } from './http/status.controller';
import { MinerKey } from './identity/miner-key';
import { JobExecutor } from './jobs/job-executor';
import { JobJournal } from './jobs/job-journal';
import { MinerStats } from './jobs/miner-stats';
import { Probe } from './probe/probe';
import { createRunnerSet } from './runner-set';
import { MINER_CONFIG } from './tokens';

/** Starts the control loop once the HTTP server is up, and drains it on shutdown. */
@Injectable()
class AgentLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('agent');

  constructor(private readonly agent: MinerAgent) {}

  onApplicationBootstrap(): void {
    this.agent.start().catch((error: Error) => this.logger.error(`the control loop could not start: ${error.message}`));
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.agent.drain();
  }
}

@Module({})
export class MinerModule {
  /** Everything the daemon needs, built from one validated config (plain classes, wired here). */
  static async forRoot(config: MinerConfig): Promise<DynamicModule> {
    const { key, created } = await MinerKey.loadOrCreate(config.stateDir);
    // the CLI runner asks the agent's latest probe whether a GPU is there (agent is built below)
    const runnerSet = await createRunnerSet(config, () => agent.hasGpu);
    const client = new CoordinatorClient({
      baseUrl: config.coordinatorUrl,
      apiKey: config.apiKey,
      minerId: config.minerId,
    });
    const executor = new JobExecutor(
      client,
      new JobJournal(config.workspaceDir),
      runnerSet.runners,
      key,
      new MinerStats(),
      {
        maxJobSeconds: config.maxJobSeconds,
        onStaleCapabilities: () => agent.requestReprobe(),
      },
    );
    const probe = new Probe(
      { nvidiaSmi: config.nvidiaSmi, workspaceDir: config.workspaceDir, ollamaUrl: config.ollamaUrl },
      runnerSet.sources,
    );
    const agent = new MinerAgent(config, client, probe, executor, {
      publicKey: key.publicKey,
      created,
    });
    return {
      module: MinerModule,
      controllers: [StatusController, AssignJobController],
      providers: [
        { provide: MINER_CONFIG, useValue: config },
        { provide: MinerAgent, useValue: agent },
        { provide: APP_FILTER, useClass: MinerErrorFilter },
        AgentLifecycle,
      ],
    };
  }
}
