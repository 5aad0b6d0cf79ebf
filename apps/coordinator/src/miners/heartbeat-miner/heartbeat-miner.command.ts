import { Command } from '@nestjs/cqrs';
import type { HeartbeatDto, HeartbeatResponseDto } from '@aitbc/contracts';

export class HeartbeatMinerCommand extends Command<HeartbeatResponseDto> {
  constructor(
    readonly minerId: string,
    readonly beat: HeartbeatDto,
  ) {
    super();
  }
}
