import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '../../database/database.module';
import {
  listBlocks,
  listReceipts,
  readBlock,
  readReceiptProof,
  readTransaction,
  type BlockPage,
  type BlockWithTxs,
  type ExplorerReceipt,
  type ExplorerTransaction,
  type ReceiptProof,
} from './explorer.repository';
import {
  GetBlockQuery,
  GetReceiptProofQuery,
  GetTransactionQuery,
  ListBlocksQuery,
  ListReceiptsQuery,
} from './explorer.queries';

@QueryHandler(ListBlocksQuery)
export class ListBlocksHandler implements IQueryHandler<ListBlocksQuery, BlockPage> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  execute({ limit, cursor }: ListBlocksQuery): Promise<BlockPage> {
    return listBlocks(this.pool, limit, cursor);
  }
}

@QueryHandler(GetBlockQuery)
export class GetBlockHandler implements IQueryHandler<GetBlockQuery, BlockWithTxs> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  execute({ height }: GetBlockQuery): Promise<BlockWithTxs> {
    return readBlock(this.pool, height);
  }
}

@QueryHandler(GetTransactionQuery)
export class GetTransactionHandler implements IQueryHandler<GetTransactionQuery, ExplorerTransaction> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  execute({ txHash }: GetTransactionQuery): Promise<ExplorerTransaction> {
    return readTransaction(this.pool, txHash);
  }
}

@QueryHandler(ListReceiptsQuery)
export class ListReceiptsHandler implements IQueryHandler<ListReceiptsQuery, { receipts: ExplorerReceipt[] }> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  execute({ limit }: ListReceiptsQuery): Promise<{ receipts: ExplorerReceipt[] }> {
    return listReceipts(this.pool, limit);
  }
}

@QueryHandler(GetReceiptProofQuery)
export class GetReceiptProofHandler implements IQueryHandler<GetReceiptProofQuery, ReceiptProof> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  execute({ receiptId }: GetReceiptProofQuery): Promise<ReceiptProof> {
    return readReceiptProof(this.pool, receiptId);
  }
}

export const EXPLORER_HANDLERS = [
  ListBlocksHandler,
  GetBlockHandler,
  GetTransactionHandler,
  ListReceiptsHandler,
  GetReceiptProofHandler,
];
