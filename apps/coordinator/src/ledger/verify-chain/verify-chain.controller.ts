import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { VerifyChainQuery, type ChainVerification } from './verify-chain.query';

@ApiTags('ledger')
@Controller('ledger')
export class VerifyChainController {
  constructor(private readonly queries: QueryBus) {}

  @Get('verify')
  @ApiOperation({ summary: 'Re-hashes and re-verifies every block and transaction; reports the first bad height' })
  verify(): Promise<ChainVerification> {
    return this.queries.execute(new VerifyChainQuery());
  }
}
