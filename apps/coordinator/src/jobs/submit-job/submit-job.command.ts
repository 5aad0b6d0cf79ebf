import { Command } from '@nestjs/cqrs';
import type { JobViewDto, SubmitJobDto } from '@aitbc/contracts';

export interface SubmitJobResult {
  view: JobViewDto;
  /** true when the Idempotency-Key had already created this job */
  replayed: boolean;
}

export class SubmitJobCommand extends Command<SubmitJobResult> {
  constructor(
    readonly clientId: string,
    readonly body: SubmitJobDto,
    readonly idempotencyKey: string | undefined,
  ) {
    super();
  }
}
