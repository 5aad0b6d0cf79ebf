import { Query } from '@nestjs/cqrs';
import type { JobPageDto, JobStateName } from '@aitbc/contracts';

/** A page of jobs, newest first; `clientId` null lists everyone's (admin). */
export class ListJobsQuery extends Query<JobPageDto> {
  constructor(
    readonly clientId: string | null,
    readonly state: JobStateName | undefined,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}
