import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../config';
import type { Principal } from './principal';

export const ROLES_KEY = 'aitbc:roles';

/** The roles allowed on a route (or every route of a controller). Routes without it are public. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The authenticated caller of a `@Roles(...)` route. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) {
    throw new Error('CurrentPrincipal used on a route without @Roles');
  }
  return principal;
});
