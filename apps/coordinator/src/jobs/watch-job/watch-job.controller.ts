import { Controller, Inject, MessageEvent, Param, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { Observable } from 'rxjs';
import { CLOCK, type Clock } from '../../clock';
import { PG_POOL } from '../../database/database.module';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { JobEventsHub } from './job-events.hub';
import { watchJob } from './watch-job';

@ApiTags('jobs')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class WatchJobController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly hub: JobEventsHub,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Sse(':job_id/events')
  @ApiOperation({
    summary: 'Server-Sent Events of the job’s state changes',
    description: 'Sends the current state first, then one `state` event per change, and closes after a terminal state.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'event: state, data: {job_id, state, status, attempts, assigned_miner_id, error, at}' })
  @ApiErrors(401, 403, 404)
  events(@CurrentPrincipal() principal: Principal, @Param('job_id') jobId: string): Promise<Observable<MessageEvent>> {
    return watchJob(this.pool, this.hub, this.clock, jobId, principal.id);
  }
}
