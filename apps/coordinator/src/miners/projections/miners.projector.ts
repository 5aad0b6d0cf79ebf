import { type CapabilitiesDto, toMicro, withModelTag } from '@aitbc/contracts';
import type { Queryable } from '@aitbc/event-store';
import { cudaNumber } from '../../jobs/submit-job/job-requirements';
import type { MinerRegisteredData, NewMinerEvent } from '../miner.events';

/**
 * The live session a registration opens. It belongs to the read model only: a token (even hashed)
 * has no place in permanent history.
 */
export interface MinerSession {
  tokenHash: string;
}

/** Capabilities in the form dispatch matches on, the same normalisation as a job's requirements. */
export interface MinerMatchFields {
  /** lower-cased GPU names and vendors: a job's `gpu` constraint may name either */
  gpu_names: string[];
  max_vram_mb: number | null;
  cuda: number | null;
  models: string[];
  services: string[];
  price_micro: number;
}

export function minerMatchFields(capabilities: CapabilitiesDto): MinerMatchFields {
  const gpus = capabilities.gpus;
  const names = gpus.flatMap((gpu) => [gpu.name, gpu.vendor]).map((name) => name.trim().toLowerCase());
  return {
    gpu_names: [...new Set(names)].sort(),
    max_vram_mb: gpus.length === 0 ? null : Math.max(...gpus.map((gpu) => gpu.memory_mb)),
    cuda: capabilities.cuda === undefined ? null : cudaNumber(capabilities.cuda),
    // tagged as a job's models constraint is (`llama3.2` is `llama3.2:latest`), so the two compare exactly
    models: capabilities.models.map(withModelTag),
    services: [...new Set(capabilities.services.map((service) => service.toLowerCase()))].sort(),
    price_micro: toMicro(capabilities.price ?? '0'),
  };
}

/**
 * Inline projection of a miner's events into `miners`, run in the command's transaction so the
 * next poll or heartbeat sees them. A registration needs the session it opens.
 */
export async function projectMinerEvents(
  tx: Queryable,
  events: readonly NewMinerEvent[],
  session: MinerSession | null,
): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case 'MinerRegistered':
        if (!session) {
          throw new Error('a MinerRegistered event is projected with the session it opens');
        }
        await upsertMiner(tx, event.data, session);
        break;
      case 'MinerDrained':
        await tx.query(`UPDATE miners SET status = 'DRAINING' WHERE miner_id = $1`, [event.data.miner_id]);
        break;
      case 'MinerResumed':
        await tx.query(`UPDATE miners SET status = 'ONLINE' WHERE miner_id = $1`, [event.data.miner_id]);
        break;
    }
  }
}

async function upsertMiner(tx: Queryable, data: MinerRegisteredData, session: MinerSession): Promise<void> {
  const match = minerMatchFields(data.capabilities);
  // a registration starts a new session: what the previous one reported no longer holds
  await tx.query(
    `INSERT INTO miners (miner_id, owner_id, status, capabilities, gpu_names, max_vram_mb, cuda, models, services,
                         price_micro, region, endpoint, concurrency, reported_inflight, metadata, session_token_hash,
                         registered_at, last_heartbeat)
     VALUES ($1, $2, 'ONLINE', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, $13, $14, $14)
     ON CONFLICT (miner_id) DO UPDATE SET
       owner_id = EXCLUDED.owner_id, status = EXCLUDED.status, capabilities = EXCLUDED.capabilities,
       gpu_names = EXCLUDED.gpu_names, max_vram_mb = EXCLUDED.max_vram_mb, cuda = EXCLUDED.cuda,
       models = EXCLUDED.models, services = EXCLUDED.services, price_micro = EXCLUDED.price_micro,
       region = EXCLUDED.region, endpoint = EXCLUDED.endpoint, concurrency = EXCLUDED.concurrency,
       reported_inflight = NULL, metadata = NULL, session_token_hash = EXCLUDED.session_token_hash,
       registered_at = EXCLUDED.registered_at, last_heartbeat = EXCLUDED.last_heartbeat`,
    [
      data.miner_id,
      data.owner_id,
      JSON.stringify(data.capabilities),
      match.gpu_names,
      match.max_vram_mb,
      match.cuda,
      match.models,
      match.services,
      match.price_micro,
      data.region?.trim().toLowerCase() || null,
      data.endpoint,
      data.concurrency,
      session.tokenHash,
      data.registered_at,
    ],
  );
}
