import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ReceiptKeysService, type PublishedReceiptKey } from '../receipt-keys.service';
import { GetReceiptKeysQuery } from './get-receipt-keys.query';

@QueryHandler(GetReceiptKeysQuery)
export class GetReceiptKeysHandler implements IQueryHandler<GetReceiptKeysQuery, { keys: PublishedReceiptKey[] }> {
  constructor(private readonly keys: ReceiptKeysService) {}

  async execute(): Promise<{ keys: PublishedReceiptKey[] }> {
    return { keys: await this.keys.publishedKeys() };
  }
}
