import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/** Key in a route's Fastify config marking a route whose body is a miner's result. */
const RESULT_BODY = 'aitbcResultBody';

/**
 * Marks a route that takes a miner's result: it gets `RESULT_BODY_LIMIT_BYTES` instead of the
 * global `BODY_LIMIT_BYTES`, because CLI jobs return their output files inline (base64), which
 * would not fit the 1 MiB every other route is held to.
 */
export const ResultBodyLimit = (): MethodDecorator => RouteConfig({ [RESULT_BODY]: true });

/**
 * Gives every route marked with `@ResultBodyLimit()` its own body limit. Must run before the
 * routes are registered (`app.init()`), as Fastify applies `onRoute` hooks at registration.
 */
export function applyResultBodyLimit(fastify: FastifyInstance, limitBytes: number): void {
  fastify.addHook('onRoute', (route) => {
    const config = route.config as Record<string, unknown> | undefined;
    if (config?.[RESULT_BODY] === true) {
      route.bodyLimit = limitBytes;
    }
  });
}
