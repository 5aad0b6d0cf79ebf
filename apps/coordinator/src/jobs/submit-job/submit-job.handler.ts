import { createHash, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Pool, PoolClient } from 'pg';
import { AppError, ErrorCode, SubmitJobDto, toMicro } from '@aitbc/contracts';
import { canonicalize } from '@aitbc/crypto';
import { withTransaction } from '@aitbc/event-store';
import { CLOCK, type Clock } from '../../clock';
import { CONFIG, type CoordinatorConfig } from '../../config';
import { PG_POOL } from '../../database/database.module';
import { announceJobAvailable } from '../dispatch/job-available';
import { IdempotencyKeyReusedError, JobNotFoundError } from '../job.errors';
import type { JobSubmittedData } from '../job.events';
import { JobStore } from '../job-store';
import { JOB_VIEW_COLUMNS, JobViewRow, toJobView } from '../job-view';
import { jobRequirements } from './job-requirements';
import { SubmitJobCommand, SubmitJobResult } from './submit-job.command';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand, SubmitJobResult> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly jobs: JobStore,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ clientId, body, idempotencyKey }: SubmitJobCommand): Promise<SubmitJobResult> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key must be 1 to 255 printable ASCII characters', [
        { field: 'Idempotency-Key', message: '1 to 255 printable ASCII characters', code: 'pattern' },
      ]);
    }
    const jobId = randomBytes(16).toString('hex');
    const outcome = await withTransaction(this.pool, async (tx) => {
      if (idempotencyKey !== undefined) {
        const replay = await this.claimKey(tx, clientId, idempotencyKey, requestHash(body), jobId);
        if (replay) {
          return { view: toJobView(await readView(tx, replay), true), replayed: true };
        }
      }
      const submitted = this.submitted(jobId, clientId, body);
      await this.jobs.executeIn(tx, jobId, () => ({
        events: [{ type: 'JobSubmitted', data: submitted }],
        result: null,
      }));
      return {
        view: toJobView(await readView(tx, jobId), true),
        replayed: false,
        requirements: submitted.requirements,
      };
    });
    if ('requirements' in outcome) {
      // after the commit, so waiting miners never look before the job is visible to them
      await announceJobAvailable(this.pool, outcome.requirements);
    }
    return { view: outcome.view, replayed: outcome.replayed };
  }

  /** Records the key, or returns the job an identical earlier request created; another body → 409. */
  private async claimKey(
    tx: PoolClient,
    clientId: string,
    key: string,
    hash: string,
    jobId: string,
  ): Promise<string | null> {
    const claimed = await tx.query(
      `INSERT INTO idempotency_keys (client_id, key, request_hash, job_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (client_id, key) DO NOTHING`,
      [clientId, key, hash, jobId],
    );
    if (claimed.rowCount === 1) {
      return null;
    }
    const { rows } = await tx.query<{ request_hash: string; job_id: string }>(
      'SELECT request_hash, job_id FROM idempotency_keys WHERE client_id = $1 AND key = $2',
      [clientId, key],
    );
    if (rows[0].request_hash !== hash) {
      throw new IdempotencyKeyReusedError();
    }
    return rows[0].job_id;
  }

  private submitted(jobId: string, clientId: string, body: SubmitJobDto): JobSubmittedData {
    const now = this.clock.now();
    const ttl = body.ttl_seconds ?? this.config.jobs.defaultTtlSeconds;
    const constraints = { ...(body.constraints ?? {}) };
    return {
      job_id: jobId,
      client_id: clientId,
      payload: body.payload,
      constraints,
      requirements: jobRequirements(constraints, body.payload),
      ttl_seconds: ttl,
      timeout_seconds: body.timeout_seconds ?? null,
      max_attempts: this.config.jobs.maxAttempts,
      priority: body.priority ?? 0,
      payment_amount_micro: body.payment_amount === undefined ? null : toMicro(body.payment_amount),
      payment_currency: body.payment_currency ?? 'AITBC',
      webhook_url: body.webhook_url ?? null,
      requested_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttl * 1000).toISOString(),
    };
  }
}

async function readView(tx: PoolClient, jobId: string): Promise<JobViewRow> {
  const { rows } = await tx.query<JobViewRow>(`SELECT ${JOB_VIEW_COLUMNS} FROM job_views WHERE job_id = $1`, [jobId]);
  if (rows.length === 0) {
    throw new JobNotFoundError();
  }
  return rows[0];
}

/** The same request twice hashes the same, whatever the order of its keys (RFC 8785 canonical JSON). */
function requestHash(body: SubmitJobDto): string {
  return createHash('sha256')
    .update(canonicalize(JSON.parse(JSON.stringify(body))))
    .digest('hex');
}
