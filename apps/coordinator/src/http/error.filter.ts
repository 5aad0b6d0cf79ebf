import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from './auth/rate-limiter';
import { toErrorReply } from './error-envelope';

/** Every error a controller or guard throws leaves as the contract's envelope. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const response = http.getResponse<FastifyReply>();
    const { status, body, unexpected } = toErrorReply(error, request.id);
    if (unexpected) {
      const err = error as Error;
      this.logger.error(`request ${request.id} ${request.method} ${request.url} failed: ${err?.message}`, err?.stack);
    }
    if (error instanceof RateLimitedError) {
      void response.header('Retry-After', String(error.retryAfterSeconds));
    }
    void response.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
