import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ExplorerPageQueryDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import {
  GetBlockQuery,
  GetReceiptProofQuery,
  GetTransactionQuery,
  ListBlocksQuery,
  ListReceiptsQuery,
} from './explorer.queries';
import type {
  BlockPage,
  BlockWithTxs,
  ExplorerReceipt,
  ExplorerTransaction,
  ReceiptProof,
} from './explorer.repository';

/** The public view of the chain: headers, hashes and amounts, never payloads or results. */
@ApiTags('explorer')
@Controller('explorer')
export class ExplorerController {
  constructor(private readonly queries: QueryBus) {}

  @Get('blocks')
  @ApiOperation({ summary: 'Sealed blocks, newest first' })
  @ApiErrors(422)
  blocks(@Query() page: ExplorerPageQueryDto): Promise<BlockPage> {
    return this.queries.execute(new ListBlocksQuery(page.limit, page.cursor));
  }

  @Get('blocks/:height')
  @ApiOperation({ summary: 'A block’s header and its transaction hashes in Merkle order' })
  @ApiErrors(404)
  block(@Param('height') height: string): Promise<BlockWithTxs> {
    return this.queries.execute(new GetBlockQuery(height));
  }

  @Get('transactions/:tx_hash')
  @ApiOperation({ summary: 'A ledger transaction and the block that sealed it (null while pending)' })
  @ApiErrors(404)
  transaction(@Param('tx_hash') txHash: string): Promise<ExplorerTransaction> {
    return this.queries.execute(new GetTransactionQuery(txHash));
  }

  @Get('receipts')
  @ApiOperation({ summary: 'Recent receipts, newest first, with the block height of their settlement' })
  @ApiErrors(422)
  receipts(@Query() page: ExplorerPageQueryDto): Promise<{ receipts: ExplorerReceipt[] }> {
    return this.queries.execute(new ListReceiptsQuery(page.limit));
  }

  @Get('receipts/:receipt_id/proof')
  @ApiOperation({ summary: 'The Merkle path from a receipt’s settlement transaction to its block’s root' })
  @ApiErrors(404)
  proof(@Param('receipt_id') receiptId: string): Promise<ReceiptProof> {
    return this.queries.execute(new GetReceiptProofQuery(receiptId));
  }
}
