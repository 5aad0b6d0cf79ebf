import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
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

export class GpuDto {
  @ApiProperty({ example: 'NVIDIA GeForce RTX 4090' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name!: string;

  @ApiProperty({ example: 'nvidia' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  vendor!: string;

  @ApiProperty({ example: 24564 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  memory_mb!: number;

  @ApiPropertyOptional({ example: 'GPU-5f3c…' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  uuid?: string;
}

export class CpuDto {
  @ApiProperty({ example: 16 })
  @IsInt()
  @Min(1)
  @Max(4096)
  cores!: number;

  @ApiPropertyOptional({ example: 'AMD Ryzen 9 7950X 16-Core Processor' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  model?: string;
}

/** What a miner offers: one strict shape (DESIGN §3). */
export class CapabilitiesDto {
  @ApiProperty({ type: [GpuDto] })
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => GpuDto)
  gpus!: GpuDto[];

  @ApiPropertyOptional({ example: '12.4' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,3}(\.\d{1,3})?$/, { message: 'cuda must look like 12.4' })
  cuda?: string;

  @ApiProperty({ example: ['llama3.2:latest'] })
  @IsArray()
  @ArrayMaxSize(512)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  models!: string[];

  @ApiProperty({ example: ['llm_inference'] })
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  services!: string[];

  @ApiPropertyOptional({ example: '0.02', description: 'price per unit (AITBC)' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL_AMOUNT, { message: 'price must be a decimal string such as "0.02"' })
  price?: string;

  @ApiPropertyOptional({ example: 'gpu_seconds' })
  @IsOptional()
  @IsIn(['gpu_seconds'])
  unit_type?: 'gpu_seconds';

  @ApiPropertyOptional({ type: CpuDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CpuDto)
  cpu?: CpuDto;

  @ApiPropertyOptional({ example: 65536 })
  @IsOptional()
  @IsInt()
  @Min(0)
  memory_mb?: number;

  @ApiPropertyOptional({ example: 512000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  disk_free_mb?: number;
}

export class RegisterMinerDto {
  @ApiProperty({ type: CapabilitiesDto })
  // ValidateNested alone lets a missing object through
  @IsObject()
  @ValidateNested()
  @Type(() => CapabilitiesDto)
  capabilities!: CapabilitiesDto;

  @ApiProperty({ example: 2, minimum: 1, maximum: 64, description: 'jobs it runs at once' })
  @IsInt()
  @Min(1)
  @Max(64)
  concurrency!: number;

  @ApiPropertyOptional({ example: 'eu-west' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  region?: string;

  @ApiPropertyOptional({ example: 'http://10.0.0.7:18001', description: "the miner's own URL (push mode)" })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  endpoint?: string;
}

export class RegisterMinerResponseDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
  @ApiProperty({ example: 'rig-1/gpu-a' })
  miner_id!: string;
  @ApiProperty({ description: 'opaque; identifies this registration' })
  session_token!: string;
  @ApiProperty({ example: 15 })
  heartbeat_interval_seconds!: number;
  @ApiProperty({ example: 60 })
  lease_ttl_seconds!: number;
}

export class HeartbeatDto {
  @ApiPropertyOptional({ enum: ['ONLINE', 'DRAINING'] })
  @IsOptional()
  @IsIn(['ONLINE', 'DRAINING'])
  status?: 'ONLINE' | 'DRAINING';

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(64)
  inflight?: number;

  @ApiPropertyOptional({ type: Object })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['0f5c2d4e8a9b4c1d9e7f6a5b4c3d2e1f'],
    description:
      'the jobs this daemon is running: when given, only their leases are extended, so a lease a restarted daemon ' +
      'knows nothing of expires and its job is requeued',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @Matches(/^[0-9a-f]{32}$/, { each: true, message: 'job_ids must hold 32-hex job ids' })
  job_ids?: string[];
}

export class HeartbeatResponseDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
  @ApiProperty({ type: [String], description: 'running jobs the miner must stop' })
  cancel_job_ids!: string[];
}

export class PollDto {
  @ApiPropertyOptional({ example: 20, minimum: 0, maximum: 30, description: 'long-poll: wait up to this long' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30)
  max_wait_seconds?: number;

  @ApiPropertyOptional({
    example: '0f5c2d4e8a9b4c1d9e7f6a5b4c3d2e1f',
    description: 'push mode: take this job only (when it is queued and this miner may run it)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{32}$/, { message: 'job_id must be 32 lowercase hex characters' })
  job_id?: string;
}

export class PolledJobDto {
  @ApiProperty()
  job_id!: string;
  @ApiProperty({ type: Object })
  payload!: Record<string, unknown>;
  @ApiProperty({ type: Object })
  constraints!: Record<string, unknown>;
  @ApiProperty({ example: 1 })
  attempt!: number;
  @ApiProperty()
  lease_expires_at!: string;
  @ApiProperty({ nullable: true, type: Number })
  timeout_seconds!: number | null;
}

export class ProofDto {
  @ApiProperty({ description: 'hash of the result' })
  @IsString()
  @MaxLength(256)
  hash!: string;
  @ApiProperty()
  @IsString()
  @MaxLength(512)
  signature!: string;
  @ApiProperty()
  @IsString()
  @MaxLength(256)
  public_key!: string;
}

/** The `attempt` a miner's report names: a stale one (not the job's current attempt) gets 409. */
const ReportAttempt = () =>
  applyDecorators(
    ApiPropertyOptional({
      example: 2,
      description:
        "the attempt this report is about (the poll reply's `attempt`); when it is not the job's current attempt " +
        'the report is stale and gets 409 JOB_NOT_RUNNING, leaving the job untouched',
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(1_000_000),
  );

export class SubmitResultDto {
  @ApiProperty({ type: Object, example: { response: 'Machine learning is…' } })
  @IsObject()
  result!: Record<string, unknown>;

  @ApiPropertyOptional({ type: Object, example: { duration_ms: 12500, eval_count: 180 } })
  @IsOptional()
  @IsObject()
  metrics?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ProofDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProofDto)
  proof?: ProofDto;

  @ReportAttempt()
  attempt?: number;
}

export const MINER_FAIL_CODES = [
  'E_DENY',
  'E_OOM',
  'E_NOGPU',
  'E_TIMEOUT',
  'E_MODEL_NOT_FOUND',
  'E_BAD_INPUT',
  'E_RUNTIME',
] as const;

export class FailJobDto {
  @ApiProperty({ enum: MINER_FAIL_CODES })
  @IsIn(MINER_FAIL_CODES)
  error_code!: (typeof MINER_FAIL_CODES)[number];

  @ApiProperty({ example: 'CUDA out of memory' })
  @IsString()
  @MaxLength(2000)
  error_message!: string;

  @ApiPropertyOptional({ type: Object })
  @IsOptional()
  @IsObject()
  metrics?: Record<string, unknown>;

  @ReportAttempt()
  attempt?: number;
}

export class JobStatusDto {
  @ApiProperty({ enum: ['running'], description: 'seed alias: the miner started the job' })
  @IsIn(['running'])
  status!: 'running';
}

export class OkDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
}

export const MINER_STATUSES = ['ONLINE', 'DRAINING', 'OFFLINE'] as const;
export type MinerStatusName = (typeof MINER_STATUSES)[number];

/** A miner as operators see it. */
export class AdminMinerDto {
  @ApiProperty({ example: 'rig-1/gpu-a' })
  miner_id!: string;
  @ApiProperty({ enum: MINER_STATUSES, description: 'OFFLINE: no heartbeat for `lease_ttl_seconds`' })
  status!: MinerStatusName;
  @ApiProperty({ example: 1, description: 'jobs it holds a lease on' })
  inflight!: number;
  @ApiProperty({ example: 2 })
  concurrency!: number;
  @ApiProperty({ example: 'eu-west', nullable: true, type: String })
  region!: string | null;
  @ApiProperty({ example: '2026-01-24T10:15:00.000Z' })
  last_heartbeat!: string;
  @ApiProperty({ example: 42 })
  jobs_completed!: number;
  @ApiProperty({ example: 1, description: 'attempts that failed or were requeued under this miner' })
  jobs_failed!: number;
  @ApiProperty({ example: 12500, nullable: true, type: Number, description: 'from assignment to completion' })
  average_job_duration_ms!: number | null;
  @ApiProperty({ nullable: true, type: String })
  last_receipt_id!: string | null;
}

export class AdminMinerListDto {
  @ApiProperty({ type: [AdminMinerDto] })
  items!: AdminMinerDto[];
}
