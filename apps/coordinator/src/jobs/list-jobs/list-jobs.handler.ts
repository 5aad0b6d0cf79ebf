import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { JobPageDto } from '@aitbc/contracts';
import { PG_POOL } from '../../database/database.module';
import { JOB_VIEW_COLUMNS, JobViewRow, toJobView } from '../job-view';
import { decodeCursor, encodeCursor } from './job-cursor';
import { ListJobsQuery } from './list-jobs.query';

@QueryHandler(ListJobsQuery)
export class ListJobsHandler implements IQueryHandler<ListJobsQuery, JobPageDto> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ clientId, state, limit, cursor }: ListJobsQuery): Promise<JobPageDto> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (clientId !== null) {
      values.push(clientId);
      where.push(`client_id = $${values.length}`);
    }
    if (state) {
      values.push(state);
      where.push(`state = $${values.length}`);
    }
    if (cursor) {
      const after = decodeCursor(cursor);
      values.push(after.requestedAt, after.jobId);
      where.push(`(requested_at, job_id) < ($${values.length - 1}::timestamptz, $${values.length})`);
    }
    values.push(limit + 1);
    const { rows } = await this.pool.query<JobViewRow>(
      `SELECT ${JOB_VIEW_COLUMNS} FROM job_views ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY requested_at DESC, job_id DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({ ...toJobView(row, clientId !== null), client_id: row.client_id })),
      next_cursor:
        rows.length > limit && last
          ? encodeCursor({ requestedAt: last.requested_at.toISOString(), jobId: last.job_id })
          : null,
    };
  }
}
