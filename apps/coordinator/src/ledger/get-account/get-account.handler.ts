import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { AccountViewDto } from '@aitbc/contracts';
import { PG_POOL } from '../../database/database.module';
import type { Principal } from '../../http/auth/principal';
import { ACCOUNT_ID, clientAccount, minerAccount } from '../ledger';
import { AccountNotFoundError } from '../ledger.errors';
import { readAccount } from '../ledger.repository';
import { GetAccountQuery } from './get-account.query';

/** A client reads `client:<own id>`, a miner `miner:<own miner id>`, an admin any account. */
export function mayRead(caller: Principal, accountId: string): boolean {
  switch (caller.role) {
    case 'admin':
      return true;
    case 'client':
      return accountId === clientAccount(caller.id);
    case 'miner':
      return accountId === minerAccount(caller.minerId ?? caller.id);
  }
}

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, AccountViewDto> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ accountId, caller }: GetAccountQuery): Promise<AccountViewDto> {
    if (!ACCOUNT_ID.test(accountId) || !mayRead(caller, accountId)) {
      throw new AccountNotFoundError();
    }
    const view = await readAccount(this.pool, accountId);
    if (view) {
      return view;
    }
    // an owner's account exists from the start, empty; an admin probing an unknown id gets a 404
    if (caller.role === 'admin') {
      throw new AccountNotFoundError();
    }
    return caller.role === 'client'
      ? { account_id: accountId, balance: '0', held: '0' }
      : { account_id: accountId, balance: '0' };
  }
}
