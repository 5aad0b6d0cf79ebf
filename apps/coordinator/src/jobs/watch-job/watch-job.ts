import type { MessageEvent } from '@nestjs/common';
import type { Pool } from 'pg';
import { Observable } from 'rxjs';
import type { Clock } from '../../clock';
import { TERMINAL } from '../job';
import { readOwnJob } from '../job-views.repository';
import type { JobViewRow } from '../job-view';
import { JobEventsHub } from './job-events.hub';

const KEEPALIVE_MS = 15_000;

interface StateMessage {
  job_id: string;
  state: string;
  status: string;
  attempts: number;
  assigned_miner_id: string | null;
  error: { code: string; message: string } | null;
  at: string;
}

/**
 * The stream behind `GET /v1/jobs/{id}/events`. Ownership is checked before the stream opens
 * (404 otherwise); each change is re-read from the job view, so a message always describes a
 * committed state, and repeated states are not sent twice.
 */
export async function watchJob(
  pool: Pool,
  hub: JobEventsHub,
  clock: Clock,
  jobId: string,
  clientId: string,
): Promise<Observable<MessageEvent>> {
  const first = await readOwnJob(pool, jobId, clientId);
  return new Observable<MessageEvent>((subscriber) => {
    let last = '';
    let closed = false;
    const emit = (row: JobViewRow) => {
      const message = toMessage(row, clock.now());
      const key = `${message.state}/${message.attempts}/${message.assigned_miner_id}`;
      if (key !== last) {
        last = key;
        subscriber.next({ type: 'state', data: message });
      }
      if (TERMINAL.has(row.state)) {
        closed = true;
        subscriber.complete();
      }
    };
    const keepalive = setInterval(() => subscriber.next({ type: 'keepalive', data: {} }), KEEPALIVE_MS);
    let unsubscribe: (() => void) | null = null;
    let chain = Promise.resolve();
    const refresh = () => {
      chain = chain
        .then(async () => {
          if (!closed) {
            emit(await readOwnJob(pool, jobId, clientId));
          }
        })
        .catch((error: unknown) => subscriber.error(error));
    };
    emit(first);
    if (!closed) {
      void hub.subscribe(jobId, refresh).then((off) => {
        unsubscribe = off;
        if (closed) {
          off();
        } else {
          // a change between the first read and the subscription would otherwise be missed
          refresh();
        }
      });
    }
    return () => {
      closed = true;
      clearInterval(keepalive);
      unsubscribe?.();
    };
  });
}

function toMessage(row: JobViewRow, now: Date): StateMessage {
  return {
    job_id: row.job_id,
    state: row.state,
    status: row.state.toLowerCase(),
    attempts: row.attempts,
    assigned_miner_id: row.assigned_miner_id,
    error: row.error,
    at: now.toISOString(),
  };
}
