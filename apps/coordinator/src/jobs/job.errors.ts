import { AppError, ErrorCode } from '@aitbc/contracts';

export class JobNotFoundError extends AppError {
  constructor() {
    super(ErrorCode.JOB_NOT_FOUND, 'job not found');
  }
}

export class JobNotReadyError extends AppError {
  constructor() {
    super(ErrorCode.JOB_NOT_READY, 'job not ready');
  }
}

export class JobAlreadyTerminalError extends AppError {
  constructor(state: string) {
    super(ErrorCode.JOB_ALREADY_TERMINAL, `job is already ${state}`);
  }
}

export class JobNotRunningError extends AppError {
  constructor(detail = 'job is not running under this miner') {
    super(ErrorCode.JOB_NOT_RUNNING, detail);
  }
}

export class NotAssignedMinerError extends AppError {
  constructor() {
    super(ErrorCode.NOT_ASSIGNED_MINER, 'this miner is not assigned to the job');
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used with a different request');
  }
}
