import { PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorCode, ErrorDetail } from '@aitbc/contracts';

/**
 * The one validation pipe: whitelisting DTOs, unknown fields rejected, every problem reported as
 * `{field, message, code}` in a 422.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
