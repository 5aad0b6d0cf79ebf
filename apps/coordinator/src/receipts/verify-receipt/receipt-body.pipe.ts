import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { AppError, ErrorCode, ErrorDetail } from '@aitbc/contracts';
import type { SignedReceipt } from '../receipt';
import { ReceiptDto } from '../receipt.dto';

/**
 * A receipt as a request body: an object whose contract fields have the right types (422 otherwise).
 * Unlike the global pipe it lets unknown members through and hands on the body exactly as parsed,
 * never a transformed copy, because the signature covers the bytes the sender meant.
 */
@Injectable()
export class ReceiptBodyPipe implements PipeTransform<unknown, Promise<SignedReceipt>> {
  async transform(body: unknown): Promise<SignedReceipt> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'the body must be a receipt object', [
        { field: '', message: 'the body must be a receipt object', code: 'isObject' },
      ]);
    }
    const details = flatten(await validate(plainToInstance(ReceiptDto, body), { forbidUnknownValues: false }));
    if (details.length > 0) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `${details[0].field}: ${details[0].message}`, details);
    }
    return body as SignedReceipt;
  }
}

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) => ({ field, message, code }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
