import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** An HTTP error of the miner's small API, answered in the contract's envelope (DESIGN §3). */
export class MinerHttpError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail, status);
  }
}

const CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Every error leaves as `{detail, error: {code, status, details}, request_id}`; never a stack trace. */
@Catch()
export class MinerErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let status = 500;
    let code = 'INTERNAL_ERROR';
    let detail = 'internal error';
    if (exception instanceof MinerHttpError) {
      status = exception.getStatus();
      code = exception.code;
      detail = exception.message;
    } else if (exception instanceof HttpException && exception.getStatus() === 400) {
      // the only 400 this small API can produce is a body that did not parse
      status = 422;
      code = 'MALFORMED_JSON';
      detail = 'request body is not valid JSON';
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
      detail = status === 404 ? 'route not found' : exception.message;
    } else if ((exception as { statusCode?: unknown }).statusCode) {
      // fastify's own errors: malformed JSON, body too large, unsupported media type
      status = Number((exception as { statusCode: number }).statusCode);
      code = status === 400 ? 'MALFORMED_JSON' : (CODES[status] ?? 'VALIDATION_FAILED');
      status = status === 400 ? 422 : status;
      detail = (exception as Error).message;
    } else {
      this.logger.error(`unhandled error on ${request.method} ${request.url}: ${(exception as Error)?.message}`);
    }
    void reply.status(status).send({ detail, error: { code, status, details: [] }, request_id: String(request.id) });
  }
}
