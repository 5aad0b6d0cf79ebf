import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsNumber, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { ReceiptKeyPurpose } from './receipt';

/*
 * The wire shapes of the receipts API. As a request body a receipt is checked for its fields' types
 * only: whether its content is right is what its signature answers. Members the contract does not
 * name are let through (and then fail verification, since they are part of the signed bytes).
 */

export class ReceiptSignatureDto {
  @ApiProperty({ example: 'Ed25519' })
  @IsString()
  alg!: string;
  @ApiProperty({ example: '3f1c0a9e5b7d2c41', description: 'first 16 hex of sha256(public key)' })
  @IsString()
  key_id!: string;
  @ApiProperty({ description: 'unpadded base64url of the 64-byte Ed25519 signature' })
  @IsString()
  sig!: string;
}

export class ReceiptDto {
  @ApiProperty({ example: '1.0' })
  @IsString()
  version!: string;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015' })
  @IsString()
  receipt_id!: string;
  @ApiProperty({ example: 'a3c1e0f2b4d6a8c0e2f4b6d8a0c2e4f6' })
  @IsString()
  job_id!: string;
  @ApiProperty({ example: 'rig-1/gpu-a', description: 'the miner' })
  @IsString()
  provider!: string;
  @ApiProperty({ example: 'alice', description: 'the client' })
  @IsString()
  client!: string;
  @ApiProperty({ example: 'completed' })
  @IsString()
  status!: string;
  @ApiProperty({ example: 12.5, description: 'GPU-seconds, at most 3 decimals' })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 })
  units!: number;
  @ApiProperty({ example: 'gpu_seconds' })
  @IsString()
  unit_type!: string;
  @ApiProperty({ example: '0.02', description: 'AITBC per unit' })
  @IsString()
  unit_price!: string;
  @ApiProperty({ example: '0.25', description: 'AITBC' })
  @IsString()
  price!: string;
  @ApiProperty({ example: 1769249700, description: 'assignment, Unix seconds' })
  @IsInt()
  started_at!: number;
  @ApiProperty({ example: 1769249713, description: 'Unix seconds' })
  @IsInt()
  completed_at!: number;
  @ApiProperty({ description: 'sha256 hex of the canonical JSON of the result' })
  @IsString()
  result_hash!: string;
  @ApiProperty({ description: 'sha256 hex of the canonical JSON of the payload' })
  @IsString()
  payload_hash!: string;
  @ApiPropertyOptional({ example: 'llama3.2:latest', type: String })
  @IsOptional()
  @IsString()
  model?: string | null;
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @IsInt()
  block_height?: number | null;
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  tx_hash?: string | null;
  @ApiProperty({ type: ReceiptSignatureDto, description: 'the signature of the coordinator' })
  @IsObject()
  @ValidateNested()
  @Type(() => ReceiptSignatureDto)
  signature!: ReceiptSignatureDto;
  @ApiPropertyOptional({ type: [ReceiptSignatureDto] })
  @IsOptional()
  @IsArray()
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ReceiptSignatureDto)
  attestations?: ReceiptSignatureDto[];
}

export class ReceiptListDto {
  @ApiProperty({ type: [ReceiptDto], description: 'oldest first' })
  items!: ReceiptDto[];
}

export class AttestationCheckDto {
  @ApiProperty({ nullable: true, type: String })
  key_id!: string | null;
  @ApiProperty()
  valid!: boolean;
}

export class ReceiptVerificationDto {
  @ApiProperty({ description: 'the signature and every attestation verify against pinned keys' })
  valid!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'the key the receipt names as its signer' })
  key_id!: string | null;
  @ApiProperty({ type: [AttestationCheckDto] })
  attestations!: AttestationCheckDto[];
  @ApiProperty({ type: [String], example: [], description: 'why it is not valid' })
  reasons!: string[];
}

export class ReceiptKeyDto {
  @ApiProperty({ example: '3f1c0a9e5b7d2c41' })
  key_id!: string;
  @ApiProperty({ example: 'Ed25519' })
  alg!: string;
  @ApiProperty({ description: 'unpadded base64url of the 32-byte Ed25519 public key' })
  public_key!: string;
  @ApiProperty({ enum: ['signing', 'attestation'] })
  purpose!: ReceiptKeyPurpose;
  @ApiProperty({ example: '2026-01-24T10:15:00.000Z' })
  created_at!: string;
}

export class ReceiptKeysDto {
  @ApiProperty({ type: [ReceiptKeyDto], description: 'every key receipts were ever signed or attested with' })
  keys!: ReceiptKeyDto[];
}
