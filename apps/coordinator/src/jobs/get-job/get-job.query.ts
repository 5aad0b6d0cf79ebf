import { Query } from '@nestjs/cqrs';
import type { JobViewDto } from '@aitbc/contracts';

export class GetJobQuery extends Query<JobViewDto> {
  constructor(
    readonly jobId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
