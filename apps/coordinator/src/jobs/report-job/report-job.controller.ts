import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { FailJobDto, JobStatusDto, SubmitResultDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { CompleteJobCommand, CompleteJobResult, FailJobCommand, StartJobCommand } from './report-job.commands';
import { ResultBodyLimit } from './result-body-limit';

/** How a miner reports on the job it holds; the seed's aliases live under /v1/jobs. */
@ApiTags('miners')
@ApiSecurity('api-key')
@ApiSecurity('miner-key')
@Roles('miner')
@Controller()
export class ReportJobController {
  constructor(private readonly commands: CommandBus) {}

  @Post('miners/:job_id/result')
  @HttpCode(200)
  @ResultBodyLimit()
  @ApiOperation({
    summary: 'Report the result of a job this miner holds (an exact replay answers the same)',
    description:
      'The body may be up to RESULT_BODY_LIMIT_BYTES (CLI outputs come inline). With `attempt`, a report on ' +
      'an attempt other than the current one is stale: 409, and the job is untouched.',
  })
  @ApiOkResponse({ description: '{status: "ok", receipt}' })
  @ApiErrors(401, 403, 404, 409, 413, 422)
  result(
    @CurrentPrincipal() principal: Principal,
    @Param('job_id') jobId: string,
    @Body() body: SubmitResultDto,
  ): Promise<CompleteJobResult> {
    return this.commands.execute(new CompleteJobCommand(jobId, principal.minerId!, body));
  }

  @Post('jobs/:job_id/complete')
  @HttpCode(200)
  @ResultBodyLimit()
  @ApiOperation({ summary: 'Seed alias of POST /v1/miners/{job_id}/result' })
  @ApiOkResponse({ description: '{status: "ok", receipt}' })
  @ApiErrors(401, 403, 404, 409, 413, 422)
  complete(
    @CurrentPrincipal() principal: Principal,
    @Param('job_id') jobId: string,
    @Body() body: SubmitResultDto,
  ): Promise<CompleteJobResult> {
    return this.commands.execute(new CompleteJobCommand(jobId, principal.minerId!, body));
  }

  @Post('miners/:job_id/fail')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report that a job failed; retryable codes requeue it while attempts remain',
    description:
      'With `attempt`, a report on an attempt other than the current one is stale: 409, and the job is untouched.',
  })
  @ApiOkResponse({ description: '{status: "ok", requeued}' })
  @ApiErrors(401, 403, 404, 409, 422)
  fail(
    @CurrentPrincipal() principal: Principal,
    @Param('job_id') jobId: string,
    @Body() body: FailJobDto,
  ): Promise<{ status: 'ok'; requeued: boolean }> {
    return this.commands.execute(new FailJobCommand(jobId, principal.minerId!, body));
  }

  @Post('jobs/:job_id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Seed alias: the miner started the job ({status: "running"})' })
  @ApiOkResponse({ description: '{status: "ok", job_id, state: "RUNNING"}' })
  @ApiErrors(401, 403, 404, 409, 422)
  start(
    @CurrentPrincipal() principal: Principal,
    @Param('job_id') jobId: string,
    @Body() _body: JobStatusDto,
  ): Promise<{ status: 'ok'; job_id: string; state: 'RUNNING' }> {
    return this.commands.execute(new StartJobCommand(jobId, principal.minerId!));
  }
}
