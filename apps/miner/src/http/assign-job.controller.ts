import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { MinerAgent } from '../agent/miner-agent';
import type { MinerConfig } from '../config';
import { CoordinatorError } from '../coordinator/coordinator-client';
import { MINER_CONFIG } from '../tokens';
import { MinerHttpError } from './miner-http-error';

const digest = (key: string) => createHash('sha256').update(key).digest();

/**
 * The seed's push mode: someone (an operator, a scheduler) tells this miner to take a job. The
 * miner never runs what the caller sends; it claims the job from the coordinator, which hands over
 * the stored payload and a lease only if the job is queued and this miner may run it.
 */
@Controller('v1/jobs')
export class AssignJobController {
  private readonly keys: Buffer[];

  constructor(
    private readonly agent: MinerAgent,
    @Inject(MINER_CONFIG) config: MinerConfig,
  ) {
    this.keys = config.assignApiKeys.map(digest);
  }

  @Post('assign')
  @HttpCode(202)
  async assign(@Headers('x-api-key') apiKey: string | undefined, @Body() body: unknown) {
    if (this.keys.length === 0) {
      throw new MinerHttpError(403, 'FORBIDDEN', 'push mode is disabled on this miner (set MINER_ASSIGN_API_KEYS)');
    }
    const presented = apiKey ? digest(apiKey) : null;
    if (!presented || !this.keys.some((key) => timingSafeEqual(key, presented))) {
      throw new MinerHttpError(401, 'UNAUTHORIZED', 'missing or unknown API key');
    }
    const jobId = (body as { job_id?: unknown } | null)?.job_id;
    if (typeof jobId !== 'string' || !/^[0-9a-f]{32}$/.test(jobId)) {
      throw new MinerHttpError(422, 'VALIDATION_FAILED', 'job_id must be 32 lowercase hex characters');
    }
    try {
      const job = await this.agent.claim(jobId);
      return { status: 'accepted', job_id: job.job_id, attempt: job.attempt, lease_expires_at: job.lease_expires_at };
    } catch (error) {
      if (error instanceof MinerHttpError) {
        throw error;
      }
      if (error instanceof CoordinatorError) {
        throw new MinerHttpError(502, 'SERVICE_UNAVAILABLE', `the coordinator could not be asked: ${error.message}`);
      }
      throw error;
    }
  }
}
