import { Query } from '@nestjs/cqrs';
import type { PaymentViewDto } from '@aitbc/contracts';

export class GetJobPaymentQuery extends Query<PaymentViewDto> {
  constructor(
    readonly jobId: string,
    readonly clientId: string,
  ) {
    super();
  }
}
