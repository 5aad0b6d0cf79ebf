import { ValidationError, ValidationPipe } from '@nestjs/common';
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
