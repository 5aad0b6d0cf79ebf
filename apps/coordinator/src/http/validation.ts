import { ArgumentMetadata, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorCode, ErrorDetail } from '@aitbc/contracts';

/** Deeper bodies are refused before class-transformer, which recurses and would overflow the stack. */
export const MAX_BODY_DEPTH = 64;

/** Whether `value` nests objects or arrays deeper than `limit`; iterative, so any input is safe. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) {
      continue;
    }
    if (depth >= limit) {
      return true;
    }
    for (const child of Object.values(node)) {
      pending.push([child, depth + 1]);
    }
  }
  return false;
}

class DepthLimitedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata) && nestsDeeperThan(value, MAX_BODY_DEPTH)) {
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        `the ${metadata.type} nests deeper than ${MAX_BODY_DEPTH} levels`,
        [{ field: '', message: `nests deeper than ${MAX_BODY_DEPTH} levels`, code: 'maxDepth' }],
      );
    }
    return (await super.transform(value, metadata)) as unknown;
  }
}

/**
 * The one validation pipe: whitelisting DTOs, unknown fields rejected, every problem reported as
 * `{field, message, code}` in a 422.
 */
export function createValidationPipe(): ValidationPipe {
  return new DepthLimitedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const first = details[0];
      return new AppError(
        ErrorCode.VALIDATION_FAILED,
        first ? `${first.field}: ${first.message}` : 'validation failed',
        details,
      );
    },
  });
}

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) => ({ field, message, code }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * For routes whose body is optional: a missing body (or `null`) counts as `{}`, then the one
 * validation pipe checks it against `metatype`. Declare the parameter as `object` so the global
 * pipe leaves it alone.
 */
export class OptionalBodyPipe implements PipeTransform<unknown, Promise<unknown>> {
  private readonly validation = createValidationPipe();

  constructor(private readonly metatype: new () => object) {}

  transform(body: unknown): Promise<unknown> {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'the body must be a JSON object', [
        { field: '', message: 'the body must be a JSON object', code: 'isObject' },
      ]);
    }
    return this.validation.transform(body ?? {}, { type: 'body', metatype: this.metatype }) as Promise<unknown>;
  }
}
