import { Command } from '@nestjs/cqrs';
import type { RegisterMinerDto, RegisterMinerResponseDto } from '@aitbc/contracts';

export class RegisterMinerCommand extends Command<RegisterMinerResponseDto> {
  constructor(
    readonly ownerId: string,
    readonly minerId: string,
    readonly body: RegisterMinerDto,
  ) {
    super();
  }
}
