import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PaymentViewDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import { GetJobPaymentQuery } from './get-job-payment.query';

@ApiTags('ledger')
@ApiSecurity('api-key')
@Roles('client')
@Controller('jobs')
export class GetJobPaymentController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':job_id/payment')
  @ApiOperation({ summary: 'The payment of one of your jobs: held, captured or refunded' })
  @ApiOkResponse({ type: PaymentViewDto })
  @ApiErrors(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('job_id') jobId: string): Promise<PaymentViewDto> {
    return this.queries.execute(new GetJobPaymentQuery(jobId, principal.id));
  }
}
