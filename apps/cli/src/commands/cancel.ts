import type { JobViewDto } from '@aitbc/contracts';
import type { Command } from '../command';
import { CliError, EXIT } from '../exit-codes';
import { jobIdArgument } from '../jobs';

export const cancelCommand: Command = {
  path: ['cancel'],
  summary: 'cancel a queued or running job (its escrow is refunded)',
  usage: 'JOB_ID',
  description: 'Canceling a job that is already canceled succeeds; one that already finished otherwise exits 2.',
  options: {},
  maxPositionals: 1,
  key: 'client',
  examples: ['aitbc cancel 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5'],
  async run(ctx, { positionals }) {
    const jobId = jobIdArgument(positionals);
    let view: JobViewDto;
    try {
      // safe to repeat: a second cancel of the same job changes nothing (409, handled below)
      view = await ctx.http.post<JobViewDto>(`/v1/jobs/${jobId}/cancel`, undefined, { retry: 'safe' });
    } catch (error) {
      if (!(error instanceof CliError) || error.http?.status !== 409) {
        throw error;
      }
      // canceled by us already, e.g. by an attempt whose answer was lost
      view = await ctx.http.get<JobViewDto>(`/v1/jobs/${jobId}`);
      if (view.state !== 'CANCELED') {
        throw new CliError(EXIT.usage, `job ${jobId} already finished (${view.state}); nothing to cancel`, error.http);
      }
    }
    ctx.out.result(view, () => `Job ${view.job_id} canceled`);
    return EXIT.ok;
  },
};
