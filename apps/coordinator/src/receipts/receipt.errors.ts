import { AppError, ErrorCode } from '@aitbc/contracts';

/** No receipt, or not the caller's: the two are indistinguishable, so receipts cannot be probed. */
export class ReceiptNotAvailableError extends AppError {
  constructor() {
    super(ErrorCode.RECEIPT_NOT_AVAILABLE, 'receipt not available');
  }
}
