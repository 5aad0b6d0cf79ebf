import { ApiProperty } from '@nestjs/swagger';
import type { HealthResponse } from '@aitbc/contracts';

export class HealthResponseDto implements HealthResponse {
  @ApiProperty({ example: 'ok', enum: ['ok'] })
  status!: 'ok';
  @ApiProperty({ example: 'development' })
  env!: string;
  @ApiProperty({ example: '0.1.0' })
  version!: string;
}
