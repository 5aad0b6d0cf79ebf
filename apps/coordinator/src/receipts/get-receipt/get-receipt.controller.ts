import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../http/api-errors.decorator';
import { CurrentPrincipal, Roles } from '../../http/auth/auth.decorators';
import type { Principal } from '../../http/auth/principal';
import type { SignedReceipt } from '../receipt';
import { ReceiptDto } from '../receipt.dto';
import { GetReceiptQuery } from './get-receipt.query';

@ApiTags('receipts')
@ApiSecurity('api-key')
@Roles('client')
@Controller('receipts')
export class GetReceiptController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':receipt_id')
  @ApiOperation({ summary: 'A signed receipt of one of your jobs' })
  @ApiOkResponse({ type: ReceiptDto })
  @ApiErrors(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('receipt_id') receiptId: string): Promise<SignedReceipt> {
    return this.queries.execute(new GetReceiptQuery(receiptId, principal.id));
  }
}
