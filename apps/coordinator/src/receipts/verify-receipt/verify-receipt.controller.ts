import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../http/api-errors.decorator';
import type { ReceiptVerification, SignedReceipt } from '../receipt';
import { ReceiptDto, ReceiptVerificationDto } from '../receipt.dto';
import { ReceiptBodyPipe } from './receipt-body.pipe';
import { VerifyReceiptQuery } from './verify-receipt.query';

@ApiTags('receipts')
@Controller('receipts')
export class VerifyReceiptController {
  constructor(private readonly queries: QueryBus) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a receipt against the keys this coordinator publishes (never keys it carries)' })
  @ApiBody({ type: ReceiptDto })
  @ApiOkResponse({ type: ReceiptVerificationDto })
  @ApiErrors(413, 422)
  verify(@Body(ReceiptBodyPipe) receipt: SignedReceipt): Promise<ReceiptVerification> {
    return this.queries.execute(new VerifyReceiptQuery(receipt));
  }
}
