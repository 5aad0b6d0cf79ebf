import { Query } from '@nestjs/cqrs';
import type { PublishedReceiptKey } from '../receipt-keys.service';

export class GetReceiptKeysQuery extends Query<{ keys: PublishedReceiptKey[] }> {}
