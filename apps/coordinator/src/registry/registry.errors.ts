import { AppError, ErrorCode } from '@aitbc/contracts';

export class ServiceNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.SERVICE_NOT_FOUND, 'service not found');
  }
}
