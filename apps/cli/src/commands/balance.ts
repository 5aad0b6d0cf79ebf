import { createHash } from 'node:crypto';
import type { AccountViewDto } from '@aitbc/contracts';
import type { Command } from '../command';
import { requireKey } from '../config';
import { CliError, EXIT } from '../exit-codes';
import { fields } from '../output';

/**
 * The account of an API key configured without a name: `client:client_` + the first 12 hex of its
 * sha256 (DESIGN §3). A named key's account is `client:<name>`, which the key alone cannot tell.
 */
export function unnamedKeyAccount(apiKey: string): string {
  return `client:client_${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12)}`;
}

export const balanceCommand: Command = {
  path: ['balance'],
  summary: 'an account balance (yours by default) and what is held in escrow',
  usage: '[ACCOUNT]',
  description:
    "ACCOUNT is client:<id>, miner:<id>, or a bare client id. Without it: AITBC_ACCOUNT, the profile's\n" +
    '"account", or else the account of a key configured without a name. Clients may read only their\n' +
    'own account (others are "not found"); admins any.',
  options: {},
  maxPositionals: 1,
  key: 'client',
  examples: [
    'aitbc balance',
    'aitbc balance client:alice',
    'AITBC_API_KEY=$ADMIN_KEY aitbc balance miner:rig-1 --json',
  ],
  async run(ctx, { positionals }) {
    const given = positionals[0] ?? ctx.config.account;
    const account =
      given === null ? unnamedKeyAccount(requireKey(ctx.config)) : given.includes(':') ? given : `client:${given}`;
    let view: AccountViewDto;
    try {
      view = await ctx.http.get<AccountViewDto>(`/v1/ledger/accounts/${encodeURIComponent(account)}`);
    } catch (error) {
      if (given === null && error instanceof CliError && error.exitCode === EXIT.notFound) {
        throw new CliError(
          EXIT.notFound,
          `${error.message}; if your key is configured with a name (NAME:KEY), run: aitbc balance client:NAME`,
          error.http,
        );
      }
      throw error;
    }
    ctx.out.result(view, () =>
      fields([
        ['Account', view.account_id],
        ['Balance', `${view.balance} AITBC`],
        ['Held', view.held === undefined ? null : `${view.held} AITBC`],
      ]),
    );
    return EXIT.ok;
  },
};
