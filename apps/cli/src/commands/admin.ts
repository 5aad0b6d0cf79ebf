import type { AccountViewDto, AdminMinerListDto, JobViewDto, MinerStatusName } from '@aitbc/contracts';
import { stringOption } from '../args';
import type { Command, CommandContext, CommandGroup, OptionSpecs, OptionValues } from '../command';
import { EXIT, usageError } from '../exit-codes';
import { fields, table } from '../output';
import { nextPage, PAGE_OPTIONS, pageQuery } from './list';

export const adminGroup: CommandGroup = {
  name: 'admin',
  word: 'VIEW',
  summary: 'operators (an admin key): stats, jobs, miners, deposit',
  examples: ['aitbc admin stats', 'aitbc admin jobs --state failed', 'aitbc admin miners --json'],
};

const statsCommand: Command = {
  path: ['admin', 'stats'],
  summary: 'job counts by state, miners online, average job duration',
  usage: '',
  options: {},
  key: 'admin',
  examples: ['aitbc admin stats', 'aitbc admin stats --json | jq .queued'],
  async run(ctx) {
    const stats = await ctx.http.get<Record<string, number | null>>('/v1/admin/stats');
    ctx.out.result(stats, () =>
      fields(Object.entries(stats).map(([name, value]) => [name.replace(/_/g, ' '), value ?? '-'] as const)),
    );
    return EXIT.ok;
  },
};

const jobsCommand: Command = {
  path: ['admin', 'jobs'],
  summary: "everyone's jobs, newest first (no payloads or results)",
  usage: '[--state STATE] [--limit N] [--cursor CURSOR]',
  options: PAGE_OPTIONS,
  key: 'admin',
  examples: ['aitbc admin jobs', 'aitbc admin jobs --state queued --limit 200'],
  async run(ctx, { values }) {
    const page = await ctx.http.get<{ items: (JobViewDto & { client_id?: string })[]; next_cursor: string | null }>(
      '/v1/admin/jobs',
      {
        query: pageQuery(values),
      },
    );
    ctx.out.result(page, () =>
      page.items.length === 0
        ? 'no jobs'
        : table(
            ['JOB ID', 'STATE', 'CLIENT', 'MINER', 'REQUESTED'],
            page.items.map((job) => [
              job.job_id,
              job.state,
              job.client_id ?? null,
              job.assigned_miner_id,
              job.requested_at,
            ]),
          ) + nextPage(page, 'aitbc admin jobs'),
    );
    return EXIT.ok;
  },
};

/** The coordinator's miner statuses (MINER_STATUSES; a type import, as the contracts' runtime is slow to load). */
const MINER_STATUSES: Record<MinerStatusName, true> = { ONLINE: true, DRAINING: true, OFFLINE: true };
const MINER_STATUS_NAMES = Object.keys(MINER_STATUSES).map((status) => status.toLowerCase());

/** A `--status` value, any case, as the API spells it: a typo is a usage error, not an empty list. */
function minerStatus(text: string | undefined): MinerStatusName | undefined {
  if (text === undefined) {
    return undefined;
  }
  const status = text.toUpperCase() as MinerStatusName;
  if (!(status in MINER_STATUSES)) {
    throw usageError(`--status must be one of ${MINER_STATUS_NAMES.join(', ')} (got "${text}")`);
  }
  return status;
}

/** `admin miners` and its shortcut `miners`. */
export async function listMiners(ctx: CommandContext, values: OptionValues): Promise<number> {
  const status = minerStatus(stringOption(values, 'status'));
  const list = await ctx.http.get<AdminMinerListDto>('/v1/admin/miners');
  const items = status ? list.items.filter((miner) => miner.status === status) : list.items;
  ctx.out.result({ items }, () =>
    items.length === 0
      ? 'no miners'
      : table(
          ['MINER', 'STATUS', 'JOBS', 'DONE', 'FAILED', 'AVG MS', 'REGION', 'LAST HEARTBEAT'],
          items.map((miner) => [
            miner.miner_id,
            miner.status,
            `${miner.inflight}/${miner.concurrency}`,
            miner.jobs_completed,
            miner.jobs_failed,
            miner.average_job_duration_ms,
            miner.region,
            miner.last_heartbeat,
          ]),
        ),
  );
  return EXIT.ok;
}

export const MINER_OPTIONS: OptionSpecs = {
  status: {
    type: 'string',
    value: 'STATUS',
    description: `only miners in this status (${MINER_STATUS_NAMES.join(', ')})`,
    complete: MINER_STATUS_NAMES,
  },
};

const minersCommand: Command = {
  path: ['admin', 'miners'],
  summary: 'registered miners: status, load, jobs done and failed, last heartbeat',
  usage: '[--status STATUS]',
  options: MINER_OPTIONS,
  key: 'admin',
  examples: ['aitbc admin miners', 'aitbc admin miners --status online --json'],
  run: (ctx, { values }) => listMiners(ctx, values),
};

const depositCommand: Command = {
  path: ['admin', 'deposit'],
  summary: 'credit a client or miner account with AITBC',
  usage: 'ACCOUNT AMOUNT',
  description:
    'ACCOUNT is client:<id> or miner:<id>; AMOUNT a decimal such as 10.5. Not retried once sent:\n' +
    'if the answer is lost, check the balance before depositing again.',
  options: {},
  maxPositionals: 2,
  key: 'admin',
  examples: ['aitbc admin deposit client:alice 10', 'aitbc admin deposit client:alice 0.25 --json'],
  async run(ctx, { positionals }) {
    const [account, amount] = positionals;
    if (account === undefined || amount === undefined) {
      throw usageError('admin deposit needs an ACCOUNT and an AMOUNT');
    }
    const view = await ctx.http.post<AccountViewDto>(
      `/v1/admin/accounts/${encodeURIComponent(account)}/deposit`,
      { amount },
      { retry: 'unsafe' },
    );
    ctx.out.result(view, () => `Deposited ${amount} AITBC to ${view.account_id}; balance ${view.balance} AITBC`);
    return EXIT.ok;
  },
};

export const adminCommands: readonly Command[] = [statsCommand, jobsCommand, minersCommand, depositCommand];
