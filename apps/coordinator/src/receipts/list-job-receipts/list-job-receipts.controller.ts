import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import type { SignedReceipt } from '../receipt';
import { ReceiptListDto } from '../receipt.dto';
import { ListJobReceiptsQuery } from './list-job-receipts.query';

@ApiTags('receipts')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class ListJobReceiptsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':job_id/receipts')
  @ApiOperation({ summary: 'Every signed receipt of one of your jobs, oldest first' })
  @ApiOkResponse({ type: ReceiptListDto })
  @ApiErrors(401, 403, 404)
  list(@CurrentPrincipal() principal: Principal, @Param('job_id') jobId: string): Promise<{ items: SignedReceipt[] }> {
    return this.queries.execute(new ListJobReceiptsQuery(jobId, principal.id));
  }
}
