/**
 * Stable, machine-readable error codes shared by the coordinator, the miner and the CLI.
 * A code never changes meaning once published; add new ones instead.
 */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  CONFLICT = 'CONFLICT',
  CONCURRENCY_CONFLICT = 'CONCURRENCY_CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  PAYMENT_REQUIRED = 'PAYMENT_REQUIRED',
  JOB_NOT_FOUND = 'JOB_NOT_FOUND',
  JOB_NOT_READY = 'JOB_NOT_READY',
  JOB_NOT_RUNNING = 'JOB_NOT_RUNNING',
  JOB_ALREADY_TERMINAL = 'JOB_ALREADY_TERMINAL',
  NOT_ASSIGNED_MINER = 'NOT_ASSIGNED_MINER',
  MINER_NOT_REGISTERED = 'MINER_NOT_REGISTERED',
  RECEIPT_NOT_AVAILABLE = 'RECEIPT_NOT_AVAILABLE',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
  BLOCK_NOT_FOUND = 'BLOCK_NOT_FOUND',
  TRANSACTION_NOT_FOUND = 'TRANSACTION_NOT_FOUND',
  PROOF_NOT_AVAILABLE = 'PROOF_NOT_AVAILABLE',
  SERVICE_NOT_FOUND = 'SERVICE_NOT_FOUND',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

/** One problem with one input field, as reported in `error.details`. */
export interface ErrorDetail {
  field: string;
  message: string;
  code: string;
}

/**
 * The one error body of the HTTP API. `detail` keeps clients of the original v0.1.0 API working;
 * `error.code` is what new clients should switch on.
 */
export interface ErrorEnvelope {
  detail: string;
  error: { code: ErrorCode; status: number; details: ErrorDetail[] };
  request_id: string;
}

/**
 * A failure the caller can act on. Domain modules subclass it (or throw it directly) with a stable
 * code; the HTTP layer maps the code to a status in one table.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
