import { Query } from '@nestjs/cqrs';
import type {
  BlockPage,
  BlockWithTxs,
  ExplorerReceipt,
  ExplorerTransaction,
  ReceiptProof,
} from './explorer.repository';

export class ListBlocksQuery extends Query<BlockPage> {
  constructor(
    readonly limit?: number,
    readonly cursor?: number,
  ) {
    super();
  }
}

export class GetBlockQuery extends Query<BlockWithTxs> {
  constructor(readonly height: string) {
    super();
  }
}

export class GetTransactionQuery extends Query<ExplorerTransaction> {
  constructor(readonly txHash: string) {
    super();
  }
}

export class ListReceiptsQuery extends Query<{ receipts: ExplorerReceipt[] }> {
  constructor(readonly limit?: number) {
    super();
  }
}

export class GetReceiptProofQuery extends Query<ReceiptProof> {
  constructor(readonly receiptId: string) {
    super();
  }
}
