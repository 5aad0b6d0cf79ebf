import { createHash, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { RegisterMinerResponseDto } from '@aitbc/contracts';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { decideRegister } from '../miner';
import type { MinerRegisteredData } from '../miner.events';
import { MinerStore } from '../miner-store';
import { RegisterMinerCommand } from './register-miner.command';

@CommandHandler(RegisterMinerCommand)
export class RegisterMinerHandler implements ICommandHandler<RegisterMinerCommand, RegisterMinerResponseDto> {
  constructor(
    private readonly miners: MinerStore,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ ownerId, minerId, body }: RegisterMinerCommand): Promise<RegisterMinerResponseDto> {
    const sessionToken = randomBytes(32).toString('base64url');
    const registration: MinerRegisteredData = {
      miner_id: minerId,
      owner_id: ownerId,
      capabilities: body.capabilities,
      concurrency: body.concurrency,
      region: body.region ?? null,
      endpoint: body.endpoint ?? null,
      registered_at: this.clock.now().toISOString(),
    };
    const tokenHash = createHash('sha256').update(sessionToken).digest('hex');
    await this.miners.execute(minerId, (state) => ({
      events: decideRegister(state, registration),
      result: null,
      context: { tokenHash },
    }));
    return {
      status: 'ok',
      miner_id: minerId,
      session_token: sessionToken,
      heartbeat_interval_seconds: this.config.miners.heartbeatIntervalSeconds,
      lease_ttl_seconds: this.config.miners.leaseTtlSeconds,
    };
  }
}
