import type { JobPageDto } from '@aitbc/contracts';
import { intOption, stringOption } from '../args';
import type { Command, OptionSpecs, OptionValues } from '../command';
import { EXIT } from '../exit-codes';
import { JOB_STATE_NAMES, jobState } from '../jobs';
import { table } from '../output';

/** The paging options of `list` and `admin jobs`. */
export const PAGE_OPTIONS: OptionSpecs = {
  state: {
    type: 'string',
    value: 'STATE',
    description: `only jobs in this state (${JOB_STATE_NAMES.join(', ').toLowerCase()})`,
    complete: JOB_STATE_NAMES.map((state) => state.toLowerCase()),
  },
  limit: { type: 'string', value: 'N', description: 'at most N jobs (1..200, default 20)' },
  cursor: { type: 'string', value: 'CURSOR', description: 'the next page: the cursor the previous page printed' },
};

export function pageQuery(values: OptionValues): Record<string, string | number | undefined> {
  return {
    state: jobState(stringOption(values, 'state')),
    limit: intOption(values, 'limit') ?? 20,
    cursor: stringOption(values, 'cursor'),
  };
}

/** The hint under a table that has a next page. */
export function nextPage(page: { next_cursor: string | null }, command: string): string {
  return page.next_cursor ? `\nmore: ${command} --cursor ${page.next_cursor}` : '';
}

export const listCommand: Command = {
  path: ['list'],
  summary: 'your jobs, newest first',
  usage: '[--state STATE] [--limit N] [--cursor CURSOR]',
  options: PAGE_OPTIONS,
  key: 'client',
  examples: ['aitbc list', 'aitbc list --state running', 'aitbc list --limit 200 --json | jq -r ".items[].job_id"'],
  async run(ctx, { values }) {
    const query = pageQuery(values);
    const page = await ctx.http.get<JobPageDto>('/v1/jobs', { query });
    ctx.out.result(page, () =>
      page.items.length === 0
        ? 'no jobs'
        : table(
            ['JOB ID', 'STATE', 'MINER', 'REQUESTED', 'COMPLETED'],
            page.items.map((job) => [job.job_id, job.state, job.assigned_miner_id, job.requested_at, job.completed_at]),
          ) + nextPage(page, `aitbc list${query.state ? ` --state ${String(query.state).toLowerCase()}` : ''}`),
    );
    return EXIT.ok;
  },
};
