import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReceiptKeysDto } from '../receipt.dto';
import type { PublishedReceiptKey } from '../receipt-keys.service';
import { GetReceiptKeysQuery } from './get-receipt-keys.query';

@ApiTags('receipts')
@Controller({ path: '.well-known', version: VERSION_NEUTRAL })
export class GetReceiptKeysController {
  constructor(private readonly queries: QueryBus) {}

  @Get('aitbc-keys.json')
  @ApiOperation({ summary: 'The public keys receipts are signed and attested with, including retired ones' })
  @ApiOkResponse({ type: ReceiptKeysDto })
  keys(): Promise<{ keys: PublishedReceiptKey[] }> {
    return this.queries.execute(new GetReceiptKeysQuery());
  }
}
