import { AppError, ErrorCode } from '@aitbc/contracts';

/** A hold larger than the client's balance: the whole submit is refused. */
export class InsufficientBalanceError extends AppError {
  constructor() {
    super(ErrorCode.PAYMENT_REQUIRED, 'payment_amount exceeds the balance');
  }
}

/** No such account, or not the caller's: the two are indistinguishable, so accounts cannot be probed. */
export class AccountNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.ACCOUNT_NOT_FOUND, 'account not found');
  }
}
