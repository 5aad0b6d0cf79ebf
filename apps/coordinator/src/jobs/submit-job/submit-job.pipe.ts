import { Injectable, PipeTransform } from '@nestjs/common';
import { AppError, ErrorCode, SubmitJobDto } from '@aitbc/contracts';
import { createValidationPipe } from '../../http/validation';

/** Fields of the seed's top-level form that are not part of the job itself. */
const SEED_ENVELOPE_FIELDS = ['client_key', 'api_key', 'timestamp'];

/**
 * Accepts both body forms of `POST /v1/jobs`: ours (`{payload, constraints, …}`) and the seed's
 * (`{type, prompt, model, …}` with no `payload`), which becomes the payload. The seed client put its
 * API key in the body: such fields are dropped, never stored. Then the one validation pipe runs.
 */
@Injectable()
export class SubmitJobPipe implements PipeTransform<unknown, Promise<SubmitJobDto>> {
  private readonly validation = createValidationPipe();

  async transform(body: unknown): Promise<SubmitJobDto> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'the body must be a JSON object', [
        { field: '', message: 'the body must be a JSON object', code: 'isObject' },
      ]);
    }
    const input = body as Record<string, unknown>;
    const normalized = 'payload' in input ? input : { payload: seedPayload(input) };
    return (await this.validation.transform(normalized, { type: 'body', metatype: SubmitJobDto })) as SubmitJobDto;
  }
}

function seedPayload(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([key]) => !SEED_ENVELOPE_FIELDS.includes(key)));
}
