import { fromMicro, type AccountViewDto } from '@aitbc/contracts';
import type { Queryable } from '@aitbc/event-store';

/** An account's view; null when it has never held money. */
export async function readAccount(db: Queryable, accountId: string): Promise<AccountViewDto | null> {
  const { rows } = await db.query<{ balance_micro: string }>(
    'SELECT balance_micro FROM ledger_accounts WHERE account_id = $1',
    [accountId],
  );
  if (rows.length === 0) {
    return null;
  }
  const view: AccountViewDto = { account_id: accountId, balance: fromMicro(Number(rows[0].balance_micro)) };
  if (accountId.startsWith('client:')) {
    const held = await db.query<{ held_micro: string }>(
      `SELECT coalesce(sum(amount_micro), 0) AS held_micro FROM ledger_escrows WHERE client_id = $1 AND status = 'held'`,
      [accountId.slice('client:'.length)],
    );
    view.held = fromMicro(Number(held.rows[0].held_micro));
  }
  return view;
}
