import { HttpException } from '@nestjs/common';
import { AppError, ErrorCode, ErrorDetail, ErrorEnvelope } from '@aitbc/contracts';
import { ERROR_STATUS, STATUS_CODE } from './error-map';

export interface ErrorReply {
  status: number;
  body: ErrorEnvelope;
  /** true for errors that are our fault: logged with their stack */
  unexpected: boolean;
}

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Turns anything thrown while serving a request into the contract's envelope. Bad input is always
 * a 4xx; only errors we did not foresee become a 500, whose message is not shown to the caller.
 */
export function toErrorReply(error: unknown, requestId: string): ErrorReply {
  if (error instanceof AppError) {
    return reply(ERROR_STATUS[error.code], error.code, error.message, error.details, requestId);
  }
  if (error instanceof HttpException) {
    return fromHttpException(error, requestId);
  }
  const framework = error as FrameworkError;
  const status = framework?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return fromHttpException(
      new HttpException(framework.message ?? 'bad request', status, { cause: error }),
      requestId,
    );
  }
  return { ...reply(500, ErrorCode.INTERNAL_ERROR, 'internal error', [], requestId), unexpected: true };
}

function fromHttpException(error: HttpException, requestId: string): ErrorReply {
  const status: number = error.getStatus();
  const response = error.getResponse();
  const cause = error.cause as FrameworkError | undefined;
  if (status === 400 && /JSON/i.test(cause?.code ?? '')) {
    // Fastify's body parser: invalid or empty JSON is bad input, reported as 422 per the contract
    return reply(422, ErrorCode.MALFORMED_JSON, 'request body is not valid JSON', [], requestId);
  }
  const code = STATUS_CODE[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.VALIDATION_FAILED);
  if (status === 503 && isHealthResult(response)) {
    const details = Object.entries(response.error ?? {}).map(([field, value]) => ({
      field,
      message: typeof value.message === 'string' ? value.message : 'down',
      code: 'DOWN',
    }));
    return reply(status, code, 'service not ready', details, requestId);
  }
  if (status >= 500) {
    return { ...reply(status, code, 'internal error', [], requestId), unexpected: status === 500 };
  }
  let message = status === 413 || status === 415 ? frameworkMessage(status) : error.message;
  if (status === 404 && /^Cannot [A-Z]+ /.test(message)) {
    message = `no route ${message.slice('Cannot '.length)}`;
  }
  return reply(status, code, message, [], requestId);
}

function frameworkMessage(status: 413 | 415): string {
  return status === 413 ? 'request body is too large' : 'unsupported content type: send application/json';
}

function isHealthResult(value: unknown): value is { status: string; error?: Record<string, { message?: unknown }> } {
  return typeof value === 'object' && value !== null && 'status' in value && 'details' in value;
}

function reply(status: number, code: ErrorCode, detail: string, details: ErrorDetail[], requestId: string): ErrorReply {
  return {
    status,
    body: { detail, error: { code, status, details }, request_id: requestId },
    unexpected: false,
  };
}
