import type { JobViewDto } from '@aitbc/contracts';
import { flagOption, stringOption } from '../args';
import type { Command, CommandGroup } from '../command';
import { EXIT } from '../exit-codes';
import { fields } from '../output';
import { SERVICES, SUBMIT_OPTIONS, type ServiceSpec } from './submit-bodies';
import { WAIT_OPTIONS, waitAndReport } from './wait';

/** What POST /v1/jobs (a JobView) and the typed service endpoints answer alike. */
type Submitted = Pick<JobViewDto, 'job_id' | 'state'> &
  Partial<JobViewDto> & { service_type?: string; estimated_completion?: string | null };

export const submitGroup: CommandGroup = {
  name: 'submit',
  word: 'KIND',
  summary: 'submit a job: inference, chat, whisper, sd, ffmpeg, blender or raw',
  examples: [
    'aitbc submit inference --prompt "What is machine learning?" --model llama3.2:latest',
    'aitbc submit inference --prompt "Hello" --wait --json',
  ],
};

function submitCommand(service: ServiceSpec): Command {
  return {
    path: ['submit', service.kind],
    summary: service.summary,
    usage: service.usage,
    description:
      (service.description ? `${service.description}\n` : '') +
      'Every submit carries one Idempotency-Key, so retrying a lost answer never creates a second job.\n' +
      'Prints the job id and state; with --wait, waits and prints the result, receipt, time and cost.',
    options: { ...service.options, ...SUBMIT_OPTIONS, ...WAIT_OPTIONS },
    key: 'client',
    examples: service.examples,
    async run(ctx, { values }) {
      const { path, body } = await service.build(values, ctx.io);
      const idempotencyKey = stringOption(values, 'idempotency-key') ?? ctx.io.randomUUID();
      const job = await ctx.http.post<Submitted>(path, body, {
        headers: { 'Idempotency-Key': idempotencyKey },
        retry: 'safe',
      });
      if (flagOption(values, 'wait')) {
        ctx.out.note(`submitted job ${job.job_id}`);
        return waitAndReport(ctx, job.job_id, values);
      }
      ctx.out.result(job, () =>
        fields([
          ['Job ID', job.job_id],
          ['Status', job.state.toLowerCase()],
          ['Service', job.service_type],
          ['Estimated completion', job.estimated_completion],
        ]),
      );
      return EXIT.ok;
    },
  };
}

export const submitCommands: readonly Command[] = SERVICES.map(submitCommand);
