import { Command } from '@nestjs/cqrs';
import type { ServiceJobResponseDto } from '@aitbc/contracts';
import type { ServiceJobRequest } from './service-jobs';

export interface SubmitServiceJobResult {
  response: ServiceJobResponseDto;
  /** true when the Idempotency-Key had already created this job */
  replayed: boolean;
}

export class SubmitServiceJobCommand extends Command<SubmitServiceJobResult> {
  constructor(
    readonly clientId: string,
    readonly request: ServiceJobRequest,
    readonly idempotencyKey: string | undefined,
  ) {
    super();
  }
}
