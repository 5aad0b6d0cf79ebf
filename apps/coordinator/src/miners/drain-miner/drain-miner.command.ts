import { Command } from '@nestjs/cqrs';
import type { OkDto } from '@aitbc/contracts';

export class DrainMinerCommand extends Command<OkDto> {
  constructor(readonly minerId: string) {
    super();
  }
}
