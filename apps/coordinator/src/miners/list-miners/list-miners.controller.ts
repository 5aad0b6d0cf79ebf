import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminMinerListDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { Roles } from '../../http/auth/auth.decorators';
import { ListMinersQuery } from './list-miners.query';

@ApiTags('admin')
@ApiSecurity('api-key')
@Roles('admin')
@Controller('admin/miners')
export class ListMinersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'List miners',
    description:
      'Ordered by miner_id. OFFLINE: no heartbeat for `lease_ttl_seconds`; inflight: jobs it holds a lease on.',
  })
  @ApiOkResponse({ type: AdminMinerListDto })
  @ApiErrors(401, 403)
  list(): Promise<AdminMinerListDto> {
    return this.queries.execute(new ListMinersQuery());
  }
}
