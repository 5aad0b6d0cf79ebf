import { Module } from '@nestjs/common';
import { GetStatsController } from './get-stats/get-stats.controller';
import { GetStatsHandler } from './get-stats/get-stats.handler';

@Module({ controllers: [GetStatsController], providers: [GetStatsHandler] })
export class AdminModule {}
