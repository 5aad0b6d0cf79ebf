import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { OkDto } from '@aitbc/contracts';
import { CLOCK, type Clock } from '../../clock';
import { decideDrain } from '../miner';
import { MinerStore } from '../miner-store';
import { DrainMinerCommand } from './drain-miner.command';

@CommandHandler(DrainMinerCommand)
export class DrainMinerHandler implements ICommandHandler<DrainMinerCommand, OkDto> {
  constructor(
    private readonly miners: MinerStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ minerId }: DrainMinerCommand): Promise<OkDto> {
    const now = this.clock.now();
    return this.miners.execute(minerId, (state) => ({ events: decideDrain(state, now), result: { status: 'ok' } }));
  }
}
