import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '@aitbc/contracts';
import { ApiKeyEntry, CONFIG, type CoordinatorConfig, hashApiKey, type Role } from '../../config';
import { ROLES_KEY } from './auth.decorators';
import { RateLimiter } from './rate-limiter';

const MINER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Authenticates `X-Api-Key` (miners may send the seed's `X-Miner-Key`) against the configured keys
 * by their SHA-256, before any body validation runs: missing or unknown → 401, another role → 403.
 * A miner key names its daemon with `X-Miner-ID`, scoped under the key's own name, so no key can
 * act as another key's miner. Each caller then spends one token of its role's per-minute budget
 * (429 with Retry-After when it is out).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: ReadonlyMap<string, ApiKeyEntry>;
  private readonly limiter = new RateLimiter();

  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
  ) {
    this.keys = new Map(config.apiKeys.map((entry) => [entry.keyHash, entry]));
  }

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = header(request, 'x-api-key') ?? (roles.includes('miner') ? header(request, 'x-miner-key') : undefined);
    if (!key) {
      throw new AppError(ErrorCode.UNAUTHORIZED, 'missing API key: send X-Api-Key');
    }
    const entry = this.keys.get(hashApiKey(key));
    if (!entry) {
      throw new AppError(ErrorCode.UNAUTHORIZED, 'unknown API key');
    }
    if (!roles.includes(entry.role)) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `this route needs ${/^[aeiou]/.test(roles[0]) ? 'an' : 'a'} ${roles.join(' or ')} key`,
      );
    }
    request.principal = { id: entry.id, role: entry.role };
    if (entry.role === 'miner') {
      const name = header(request, 'x-miner-id');
      if (name !== undefined && !MINER_NAME.test(name)) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'X-Miner-ID may hold only letters, digits, "_", "." and "-"', [
          { field: 'X-Miner-ID', message: 'letters, digits, "_", "." and "-", at most 64', code: 'pattern' },
        ]);
      }
      request.principal.minerId = name === undefined || name === entry.id ? entry.id : `${entry.id}/${name}`;
    }
    // per daemon for miners (one key may serve thousands), per key otherwise
    this.limiter.take(request.principal.minerId ?? entry.id, this.config.rateLimits[entry.role]);
    return true;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}
