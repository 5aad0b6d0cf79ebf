import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

/** The daemon a miner-key request speaks for: `<key name>` or `<key name>/<X-Miner-ID>`. */
export const CurrentMinerId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const minerId = context.switchToHttp().getRequest<FastifyRequest>().principal?.minerId;
  if (minerId === undefined) {
    throw new Error("CurrentMinerId used on a route without @Roles('miner')");
  }
  return minerId;
});

/** Swagger for the routes a miner daemon calls: either key header, and the optional daemon name. */
export function ApiMinerAuth(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiSecurity('api-key'),
    ApiSecurity('miner-key'),
    ApiHeader({
      name: 'X-Miner-ID',
      required: false,
      description: 'names one of several daemons sharing a miner key; its id becomes `<key name>/<X-Miner-ID>`',
    }),
  );
}
