import { Module } from '@nestjs/common';
import { PROJECTION_PROVIDERS, ProjectionRunnersService } from './projection-runners.service';

@Module({ providers: PROJECTION_PROVIDERS, exports: [ProjectionRunnersService] })
export class ProjectionsModule {}
