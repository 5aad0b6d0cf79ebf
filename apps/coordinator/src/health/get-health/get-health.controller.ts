import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HealthResponse } from '@aitbc/contracts';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { HealthResponseDto } from './health-response.dto';

@ApiTags('health')
@Controller('health')
export class GetHealthController {
  constructor(@Inject(CONFIG) private readonly config: CoordinatorConfig) {}

  @Get()
  @ApiOperation({ summary: "Liveness in the seed's shape (public)" })
  @ApiOkResponse({ type: HealthResponseDto })
  get(): HealthResponse {
    return { status: 'ok', env: this.config.env, version: this.config.version };
  }
}
