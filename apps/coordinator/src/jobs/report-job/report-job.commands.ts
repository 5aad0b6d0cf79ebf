import { Command } from '@nestjs/cqrs';
import type { FailJobDto, SubmitResultDto } from '@aitbc/contracts';

export interface CompleteJobResult {
  status: 'ok';
  /** the signed receipt, once the receipts module exists */
  receipt: Record<string, unknown> | null;
}

export class CompleteJobCommand extends Command<CompleteJobResult> {
  constructor(
    readonly jobId: string,
    readonly minerId: string,
    readonly report: SubmitResultDto,
  ) {
    super();
  }
}

export class FailJobCommand extends Command<{ status: 'ok'; requeued: boolean }> {
  constructor(
    readonly jobId: string,
    readonly minerId: string,
    readonly report: FailJobDto,
  ) {
    super();
  }
}

export class StartJobCommand extends Command<{ status: 'ok'; job_id: string; state: 'RUNNING' }> {
  constructor(
    readonly jobId: string,
    readonly minerId: string,
  ) {
    super();
  }
}
