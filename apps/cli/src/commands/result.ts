import type { JobResultDto } from '@aitbc/contracts';
import type { Command } from '../command';
import { CliError, EXIT } from '../exit-codes';
import { jobIdArgument, resultText } from '../jobs';

export const resultCommand: Command = {
  path: ['result'],
  summary: "a finished job's result (--json: with state, error and receipt)",
  usage: 'JOB_ID',
  description:
    "Prints the readable part of the result (the model's text, a transcript …) or else its JSON.\n" +
    'Exits 1 if the job did not complete, or is not finished yet.',
  options: {},
  maxPositionals: 1,
  key: 'client',
  examples: [
    'aitbc result 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5',
    "aitbc result 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5 --json | jq -r '.result.response'",
  ],
  async run(ctx, { positionals }) {
    const jobId = jobIdArgument(positionals);
    let outcome: JobResultDto;
    try {
      outcome = await ctx.http.get<JobResultDto>(`/v1/jobs/${jobId}/result`);
    } catch (error) {
      if (error instanceof CliError && error.http?.status === 425) {
        throw new CliError(EXIT.jobFailed, `job ${jobId} is not finished yet (aitbc wait ${jobId})`, error.http);
      }
      throw error;
    }
    if (outcome.state !== 'COMPLETED') {
      const reason = outcome.error ? `: ${outcome.error.code}: ${outcome.error.message}` : '';
      if (!ctx.out.json) {
        throw new CliError(EXIT.jobFailed, `job ${jobId} ended ${outcome.state}${reason}`);
      }
    }
    ctx.out.result(outcome, () => resultText(outcome.result));
    return outcome.state === 'COMPLETED' ? EXIT.ok : EXIT.jobFailed;
  },
};
