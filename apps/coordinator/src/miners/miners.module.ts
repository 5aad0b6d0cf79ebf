import { Module } from '@nestjs/common';
import { DrainMinerController } from './drain-miner/drain-miner.controller';
import { DrainMinerHandler } from './drain-miner/drain-miner.handler';
import { HeartbeatMinerController } from './heartbeat-miner/heartbeat-miner.controller';
import { HeartbeatMinerHandler } from './heartbeat-miner/heartbeat-miner.handler';
import { ListMinersController } from './list-miners/list-miners.controller';
import { ListMinersHandler } from './list-miners/list-miners.handler';
import { MinerStore } from './miner-store';
import { RegisterMinerController } from './register-miner/register-miner.controller';
import { RegisterMinerHandler } from './register-miner/register-miner.handler';

@Module({
  controllers: [RegisterMinerController, HeartbeatMinerController, DrainMinerController, ListMinersController],
  providers: [MinerStore, RegisterMinerHandler, HeartbeatMinerHandler, DrainMinerHandler, ListMinersHandler],
  exports: [MinerStore],
})
export class MinersModule {}
