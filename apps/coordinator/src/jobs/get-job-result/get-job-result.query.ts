import { Query } from '@nestjs/cqrs';
import type { JobResultDto } from '@aitbc/contracts';

export class GetJobResultQuery extends Query<JobResultDto> {
  constructor(
    readonly jobId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
