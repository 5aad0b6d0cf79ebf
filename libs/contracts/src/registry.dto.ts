import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export const SERVICE_CATEGORIES = [
  'ai_ml',
  'media_processing',
  'scientific_computing',
  'data_analytics',
  'gaming_entertainment',
  'development_tools',
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

/** `url`: an http(s) URL; `enum`: one of `options`; `array`: of `items`; `object`: any JSON object. */
export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'enum', 'url', 'array', 'object'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export const ARRAY_ITEM_TYPES = ['string', 'integer', 'number'] as const;

/** Each hardware component and the one unit it is measured in. */
export const HARDWARE_UNITS = {
  gpu: 'model',
  vram: 'GB',
  cuda: 'version',
  cpu: 'cores',
  ram: 'GB',
  storage: 'GB',
  network: 'Mbps',
} as const;
export type HardwareComponent = keyof typeof HARDWARE_UNITS;
export const HARDWARE_COMPONENTS = Object.keys(HARDWARE_UNITS) as HardwareComponent[];

export const PRICING_UNITS = [
  'gpu_second',
  'cpu_second',
  'request',
  'token_1k',
  'image',
  'audio_minute',
  'video_minute',
  'frame',
  'gb_processed',
] as const;
export type PricingUnit = (typeof PRICING_UNITS)[number];

/** One input parameter of a service. Bounds apply to the parameter's type: numbers, lengths or items. */
export class ServiceParameterDto {
  @ApiProperty({ example: 'steps' })
  name!: string;
  @ApiProperty({ enum: PARAMETER_TYPES })
  type!: ParameterType;
  @ApiProperty({ example: false })
  required!: boolean;
  @ApiProperty({ example: 'denoising steps' })
  description!: string;
  @ApiPropertyOptional({ description: 'used when the parameter is absent', example: 30 })
  default?: unknown;
  @ApiPropertyOptional({ example: 1, description: 'integer and number' })
  minimum?: number;
  @ApiPropertyOptional({ example: 150, description: 'integer and number' })
  maximum?: number;
  @ApiPropertyOptional({ example: 8, description: 'integer and number: values must be a multiple of it' })
  multiple_of?: number;
  @ApiPropertyOptional({ description: 'string and url' })
  min_length?: number;
  @ApiPropertyOptional({ description: 'string and url' })
  max_length?: number;
  @ApiPropertyOptional({ description: 'string: a regular expression (ECMAScript, unicode)' })
  pattern?: string;
  @ApiPropertyOptional({ type: [String], description: 'enum: the allowed values' })
  options?: readonly string[];
  @ApiPropertyOptional({ enum: ARRAY_ITEM_TYPES, description: 'array: the type of its items' })
  items?: (typeof ARRAY_ITEM_TYPES)[number];
  @ApiPropertyOptional({ description: 'array' })
  min_items?: number;
  @ApiPropertyOptional({ description: 'array' })
  max_items?: number;
}

export class HardwareRequirementDto {
  @ApiProperty({ enum: HARDWARE_COMPONENTS, example: 'vram' })
  component!: HardwareComponent;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string' }], example: 8 })
  minimum!: number | string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string' }], example: 24 })
  recommended!: number | string;
  @ApiProperty({ example: 'GB', description: 'model (gpu), GB, version (cuda), cores or Mbps' })
  unit!: string;
}

export class PricingTierDto {
  @ApiProperty({ example: 'standard' })
  name!: string;
  @ApiProperty({ enum: PRICING_UNITS })
  unit!: PricingUnit;
  @ApiProperty({ example: '0.02', description: 'AITBC per unit' })
  unit_price!: string;
  @ApiPropertyOptional({ example: '0.01', description: 'the least a job is charged (AITBC)' })
  min_charge?: string;
  @ApiProperty({ example: 'consumer GPUs, best effort' })
  description!: string;
}

export class ServiceLimitsDto {
  @ApiProperty({ example: 600 })
  max_execution_time_seconds!: number;
  @ApiProperty({ example: 100 })
  max_input_size_mb!: number;
  @ApiProperty({ example: 500 })
  max_output_size_mb!: number;
  @ApiProperty({ example: 4, description: 'jobs of this service one miner runs at once' })
  max_concurrent_jobs!: number;
}

/** A service of the registry's catalogue, as kept in its data files and served by the API. */
export class ServiceDefinitionDto {
  @ApiProperty({ example: 'stable_diffusion' })
  id!: string;
  @ApiProperty({ example: 'Stable Diffusion image generation' })
  name!: string;
  @ApiProperty({ enum: SERVICE_CATEGORIES })
  category!: ServiceCategory;
  @ApiProperty()
  description!: string;
  @ApiProperty({ type: [ServiceParameterDto] })
  input_parameters!: ServiceParameterDto[];
  @ApiProperty({ type: Object, description: 'JSON Schema (2020-12) of the result a miner returns' })
  output_schema!: Record<string, unknown>;
  @ApiProperty({ type: [HardwareRequirementDto] })
  requirements!: HardwareRequirementDto[];
  @ApiProperty({ type: [PricingTierDto] })
  pricing!: PricingTierDto[];
  @ApiProperty({ example: ['image-generation', 'diffusion'] })
  tags!: string[];
  @ApiProperty({ type: ServiceLimitsDto })
  limits!: ServiceLimitsDto;
  @ApiProperty({ type: Object, description: 'a valid request, as the schema’s example' })
  example!: Record<string, unknown>;
}

export class ServiceSummaryDto extends PickType(ServiceDefinitionDto, [
  'id',
  'name',
  'category',
  'description',
  'tags',
] as const) {}

export class ServiceListDto {
  @ApiProperty({ type: [ServiceSummaryDto] })
  items!: ServiceSummaryDto[];
  @ApiProperty({ example: 34 })
  total!: number;
}

export class ListRegistryServicesQueryDto {
  @ApiPropertyOptional({ enum: SERVICE_CATEGORIES })
  @IsOptional()
  @IsIn(SERVICE_CATEGORIES)
  category?: ServiceCategory;

  @ApiPropertyOptional({
    example: 'video',
    description: 'case-insensitive; matches id, name, description or a tag',
    minLength: 1,
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  search?: string;
}

export class CategoryCountDto {
  @ApiProperty({ enum: SERVICE_CATEGORIES })
  category!: ServiceCategory;
  @ApiProperty({ example: 8 })
  count!: number;
}

export class ServiceRequirementsDto {
  @ApiProperty({ example: 'stable_diffusion' })
  service_id!: string;
  @ApiProperty({ type: [HardwareRequirementDto] })
  requirements!: HardwareRequirementDto[];
}

export class ServicePricingDto {
  @ApiProperty({ example: 'stable_diffusion' })
  service_id!: string;
  @ApiProperty({ type: [PricingTierDto] })
  pricing!: PricingTierDto[];
}

/** One finding of `POST /v1/registry/services/{id}/validate`; the same shape as an error detail. */
export class RequestIssueDto {
  @ApiProperty({ example: 'steps', description: 'the parameter, "" for the body itself' })
  field!: string;
  @ApiProperty({ example: 'must be at most 150' })
  message!: string;
  @ApiProperty({
    example: 'range',
    description: 'errors: required, type, range, multiple, length, pattern, enum, items; warnings: unknown, truncated',
  })
  code!: string;
}

export class RequestValidationDto {
  @ApiProperty({ example: false, description: 'true when there are no errors (warnings do not count)' })
  valid!: boolean;
  @ApiProperty({ type: [RequestIssueDto] })
  errors!: RequestIssueDto[];
  @ApiProperty({ type: [RequestIssueDto], description: 'parameters the service does not know, and the like' })
  warnings!: RequestIssueDto[];
}
