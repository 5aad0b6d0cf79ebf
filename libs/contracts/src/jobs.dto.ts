import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DECIMAL_AMOUNT } from './money';

export const JOB_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

/** What a job requires of the miner that runs it. */
export class JobConstraintsDto {
  @ApiPropertyOptional({ example: 'nvidia', description: 'GPU name or vendor, case-insensitive' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  gpu?: string;

  @ApiPropertyOptional({ example: 16, description: 'minimum VRAM of one GPU, in GB' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(4096)
  min_vram_gb?: number;

  @ApiPropertyOptional({ example: '11.8', description: 'minimum CUDA version (12.4 satisfies 11.8)' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,3}(\.\d{1,3})?$/, { message: 'cuda must look like 12.4' })
  cuda?: string;

  @ApiPropertyOptional({ example: ['llama3.2:latest'], description: 'models the miner must have' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  models?: string[];

  @ApiPropertyOptional({ example: ['llm_inference'], description: 'services the miner must offer' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  services?: string[];

  @ApiPropertyOptional({ example: 'eu-west' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  region?: string;

  @ApiPropertyOptional({ example: '0.05', description: 'highest acceptable price per unit (AITBC)' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL_AMOUNT, { message: 'max_price must be a decimal string such as "0.05"' })
  max_price?: string;
}

export class SubmitJobDto {
  @ApiProperty({
    example: { type: 'inference', prompt: 'What is machine learning?', model: 'llama3.2:latest' },
    description:
      "what to run; a `model` in it is also a models constraint. The seed's form sends these fields at the top level instead",
  })
  @IsObject()
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({ type: JobConstraintsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobConstraintsDto)
  constraints?: JobConstraintsDto;

  @ApiPropertyOptional({
    example: 900,
    minimum: 1,
    maximum: 86400,
    description: 'how long the job may wait for a miner',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  ttl_seconds?: number;

  @ApiPropertyOptional({ example: 300, minimum: 1, maximum: 86400, description: 'longest a miner may run it' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  timeout_seconds?: number;

  @ApiPropertyOptional({ example: '0.25', description: 'escrowed at submit (AITBC)' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL_AMOUNT, { message: 'payment_amount must be a decimal string such as "0.25"' })
  payment_amount?: string;

  @ApiPropertyOptional({ example: 'AITBC', enum: ['AITBC'] })
  @IsOptional()
  @IsIn(['AITBC'])
  payment_currency?: 'AITBC';

  @ApiPropertyOptional({ example: 0, minimum: -100, maximum: 100, description: 'higher runs first' })
  @IsOptional()
  @IsInt()
  @Min(-100)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional({ example: 'https://client.example/hooks/aitbc' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  webhook_url?: string;
}

export class ListJobsQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobStateName;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class JobErrorDto {
  @ApiProperty({ example: 'E_TIMEOUT' })
  code!: string;
  @ApiProperty({ example: 'the job ran longer than its 300 s timeout' })
  message!: string;
}

export class JobViewDto {
  @ApiProperty({ example: '3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5' })
  job_id!: string;
  @ApiProperty({ enum: JOB_STATES })
  state!: JobStateName;
  @ApiProperty({ example: 'queued', description: 'lower-case alias of state, as in the seed flow' })
  status!: string;
  @ApiProperty({ nullable: true, type: String })
  assigned_miner_id!: string | null;
  @ApiProperty({ example: 0 })
  attempts!: number;
  @ApiProperty({ example: '2026-11-22T14:50:01.000Z' })
  requested_at!: string;
  @ApiProperty({ example: '2026-11-22T15:05:01.000Z' })
  expires_at!: string;
  @ApiProperty({ nullable: true, type: String })
  started_at!: string | null;
  @ApiProperty({ nullable: true, type: String })
  completed_at!: string | null;
  @ApiProperty({ nullable: true, type: JobErrorDto })
  error!: JobErrorDto | null;
  @ApiProperty({ nullable: true, type: String })
  receipt_id!: string | null;
  @ApiProperty({ nullable: true, type: String })
  payment_id!: string | null;
  @ApiProperty({ nullable: true, type: String })
  payment_status!: string | null;
  @ApiPropertyOptional({ type: Object, description: 'owner only' })
  payload?: Record<string, unknown>;
  @ApiPropertyOptional({ type: Object, nullable: true, description: 'owner only' })
  result?: Record<string, unknown> | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobViewDto] })
  items!: JobViewDto[];
  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}

export class JobResultDto {
  @ApiProperty({ enum: JOB_STATES })
  state!: JobStateName;
  @ApiProperty({ type: Object, nullable: true })
  result!: Record<string, unknown> | null;
  @ApiProperty({ type: Object, nullable: true, description: 'the signed receipt, once receipts exist' })
  receipt!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: JobErrorDto })
  error!: JobErrorDto | null;
}
