import { Command } from '@nestjs/cqrs';
import type { JobViewDto } from '@aitbc/contracts';

export class CancelJobCommand extends Command<JobViewDto> {
  constructor(
    readonly jobId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
