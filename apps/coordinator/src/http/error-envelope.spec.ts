import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { AppError, ErrorCode } from '@aitbc/contracts';
import { toErrorReply } from './error-envelope';

describe('toErrorReply', () => {
  it('maps an AppError through the error map, keeping its details', () => {
    const error = new AppError(ErrorCode.VALIDATION_FAILED, 'ttl_seconds: too big', [
      { field: 'ttl_seconds', message: 'too big', code: 'max' },
    ]);
    expect(toErrorReply(error, 'r1')).toEqual({
      status: 422,
      unexpected: false,
      body: {
        detail: 'ttl_seconds: too big',
        error: {
          code: 'VALIDATION_FAILED',
          status: 422,
          details: [{ field: 'ttl_seconds', message: 'too big', code: 'max' }],
        },
        request_id: 'r1',
      },
    });
  });

  it("turns Nest's unknown-route 404 into ROUTE_NOT_FOUND", () => {
    expect(toErrorReply(new NotFoundException('Cannot GET /v1/nope'), 'r2').body).toEqual({
      detail: 'no route GET /v1/nope',
      error: { code: 'ROUTE_NOT_FOUND', status: 404, details: [] },
      request_id: 'r2',
    });
  });

  it("reports Fastify's invalid-JSON error as 422 MALFORMED_JSON", () => {
    const fastifyError = Object.assign(new Error('Body is not valid JSON'), {
      name: 'FastifyError',
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    const reply = toErrorReply(new BadRequestException('Body is not valid JSON', { cause: fastifyError }), 'r3');
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe(ErrorCode.MALFORMED_JSON);
  });

  it('turns a failed readiness check into one detail per dependency', () => {
    const health = { status: 'error', info: {}, error: { queue: { status: 'down', message: 'timeout' } }, details: {} };
    expect(toErrorReply(new ServiceUnavailableException(health), 'r4').body).toEqual({
      detail: 'service not ready',
      error: {
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
        details: [{ field: 'queue', message: 'timeout', code: 'DOWN' }],
      },
      request_id: 'r4',
    });
  });

  it('hides the message of an unexpected error and flags it for logging', () => {
    const reply = toErrorReply(new TypeError('cannot read x of undefined (secret=abc)'), 'r5');
    expect(reply).toEqual({
      status: 500,
      unexpected: true,
      body: { detail: 'internal error', error: { code: 'INTERNAL_ERROR', status: 500, details: [] }, request_id: 'r5' },
    });
    expect(toErrorReply(new HttpException('boom', 500), 'r6').unexpected).toBe(true);
  });
});
