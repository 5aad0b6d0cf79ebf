import { Query } from '@nestjs/cqrs';
import type { RequestValidationDto } from '@aitbc/contracts';

export class ValidateServiceRequestQuery extends Query<RequestValidationDto> {
  constructor(
    readonly serviceId: string,
    /** any JSON at all: the answer says what is wrong with it */
    readonly body: unknown,
  ) {
    super();
  }
}
