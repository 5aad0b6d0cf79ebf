import type { JobViewDto } from '@aitbc/contracts';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { jobIdArgument, resultText } from '../jobs';
import { fields } from '../output';

export function describeJob(view: JobViewDto): string {
  return fields([
    ['Job ID', view.job_id],
    ['Status', view.status],
    ['Miner', view.assigned_miner_id],
    ['Attempts', view.attempts],
    ['Requested', view.requested_at],
    ['Expires', view.state === 'QUEUED' ? view.expires_at : null],
    ['Started', view.started_at],
    ['Completed', view.completed_at],
    ['Error', view.error && `${view.error.code}: ${view.error.message}`],
    ['Result', view.result ? resultText(view.result) : null],
    ['Receipt', view.receipt_id],
    ['Payment', view.payment_status && view.payment_status !== 'none' ? view.payment_status : null],
  ]);
}

export const statusCommand: Command = {
  path: ['status'],
  summary: "a job's state (and its result once it has one)",
  usage: 'JOB_ID',
  description: 'Exits 0 whatever the state: use `aitbc wait` for an exit code that says how the job ended.',
  options: {},
  maxPositionals: 1,
  key: 'client',
  examples: ['aitbc status 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5', 'aitbc status 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5 --json'],
  async run(ctx, { positionals }) {
    const view = await ctx.http.get<JobViewDto>(`/v1/jobs/${jobIdArgument(positionals)}`);
    ctx.out.result(view, () => describeJob(view));
    return EXIT.ok;
  },
};
