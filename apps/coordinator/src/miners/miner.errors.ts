import { AppError, ErrorCode } from '@aitbc/contracts';

export class MinerNotRegisteredError extends AppError {
  constructor() {
    super(ErrorCode.MINER_NOT_REGISTERED, 'miner not registered');
  }
}
