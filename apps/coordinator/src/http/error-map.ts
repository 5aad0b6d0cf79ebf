import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@aitbc/contracts';

/** The one place error codes become HTTP statuses; the compiler keeps it complete. */
export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.VALIDATION_FAILED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.MALFORMED_JSON]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.PAYLOAD_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UNAUTHORIZED]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.FORBIDDEN]: HttpStatus.FORBIDDEN,
  [ErrorCode.ROUTE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.METHOD_NOT_ALLOWED]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.CONFLICT]: HttpStatus.CONFLICT,
  [ErrorCode.CONCURRENCY_CONFLICT]: HttpStatus.CONFLICT,
  [ErrorCode.RATE_LIMITED]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: HttpStatus.CONFLICT,
  [ErrorCode.PAYMENT_REQUIRED]: HttpStatus.PAYMENT_REQUIRED,
  [ErrorCode.JOB_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.JOB_NOT_READY]: 425 as HttpStatus,
  [ErrorCode.JOB_NOT_RUNNING]: HttpStatus.CONFLICT,
  [ErrorCode.JOB_ALREADY_TERMINAL]: HttpStatus.CONFLICT,
  [ErrorCode.NOT_ASSIGNED_MINER]: HttpStatus.FORBIDDEN,
  [ErrorCode.MINER_NOT_REGISTERED]: HttpStatus.NOT_FOUND,
  [ErrorCode.RECEIPT_NOT_AVAILABLE]: HttpStatus.NOT_FOUND,
  [ErrorCode.ACCOUNT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.BLOCK_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.TRANSACTION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.PROOF_NOT_AVAILABLE]: HttpStatus.NOT_FOUND,
  [ErrorCode.SERVICE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.SERVICE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.INTERNAL_ERROR]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** For errors raised by the framework (Nest or Fastify) that carry only a status. */
export const STATUS_CODE: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.ROUTE_NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.VALIDATION_FAILED,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};
