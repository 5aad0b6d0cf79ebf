import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { CoordinatorConfig } from './config';
import { ErrorFilter } from './http/error.filter';
import type { CoordinatorMetrics } from './metrics/metrics.registry';
import { METRICS } from './metrics/metrics.tokens';
import { setupSwagger } from './http/swagger';
import { createValidationPipe } from './http/validation';
import { applyResultBodyLimit } from './jobs/report-job/result-body-limit';
import { JsonLogger, createRootLogger } from '@aitbc/contracts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the coordinator (not yet listening): Fastify with JSON logs and request ids, the error
 * envelope for every failure, validation, `/v1` versioning and Swagger. Used by `main.ts` and by
 * the e2e tests, so both run the same application.
 */
export async function createApp(config: CoordinatorConfig, logger?: Logger): Promise<NestFastifyApplication> {
  const rootLogger = logger ?? createRootLogger(config);
  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger,
    bodyLimit: config.bodyLimitBytes,
    // Fastify answers a path parameter over this length itself (414, outside the error envelope). Node
    // refuses any request line over its header limit first (431), so with that limit here every
    // parameter reaches its route, which answers an overlong id with its usual 404.
    routerOptions: { maxParamLength: maxHeaderSize },
    requestIdHeader: false,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new JsonLogger(rootLogger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // miners' results carry CLI outputs inline: their routes get RESULT_BODY_LIMIT_BYTES (set before app.init())
  applyResultBodyLimit(fastify, config.resultBodyLimitBytes);
  // the API speaks JSON only: other bodies get 415 rather than reaching a handler as text
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  const metrics = app.get<CoordinatorMetrics>(METRICS);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalFilters(new ErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app, config);
  return app;
}
