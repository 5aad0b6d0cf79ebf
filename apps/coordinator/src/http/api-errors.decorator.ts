import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

class ErrorDetailDto {
  @ApiProperty({ example: 'ttl_seconds' })
  field!: string;
  @ApiProperty({ example: 'ttl_seconds must not be greater than 86400' })
  message!: string;
  @ApiProperty({ example: 'max' })
  code!: string;
}

class ErrorBodyDto {
  @ApiProperty({ example: 'JOB_NOT_FOUND' })
  code!: string;
  @ApiProperty({ example: 404 })
  status!: number;
  @ApiProperty({ type: [ErrorDetailDto] })
  details!: ErrorDetailDto[];
}

export class ErrorEnvelopeDto {
  @ApiProperty({ example: 'job not found' })
  detail!: string;
  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;
  @ApiProperty({ example: '5b0c7a8e-…' })
  request_id!: string;
}

const MEANING: Record<number, string> = {
  401: 'missing or unknown API key',
  402: 'payment_amount exceeds the balance',
  403: 'a key of another role, or not the assigned miner',
  404: 'not found (or not yours)',
  409: 'conflicts with the current state',
  413: 'body too large',
  422: 'invalid body or malformed JSON',
  425: 'job not ready',
  429: 'rate limited (see Retry-After)',
};

/** Documents error responses of a route; all share the error envelope. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: MEANING[status] ?? 'error', type: ErrorEnvelopeDto }),
    ),
  );
}
