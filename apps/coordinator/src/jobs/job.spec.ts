import {
  decideAssign,
  decideCancel,
  decideComplete,
  decideExpire,
  decideFail,
  decideLeaseLost,
  decideStart,
  decideTimeout,
  evolveJob,
  initialJobState,
  JobState,
} from './job';
import { JobAlreadyTerminalError, JobNotFoundError, JobNotRunningError, NotAssignedMinerError } from './job.errors';
import type { JobSubmittedData, NewJobEvent } from './job.events';

const JOB = '0123456789abcdef0123456789abcdef';
const SUBMITTED_AT = new Date('2026-01-24T10:00:00.000Z');
const EXPIRES_AT = new Date('2026-01-24T10:01:00.000Z');
const LEASE_TTL_SECONDS = 60;
const at = (iso: string) => new Date(`2026-01-24T${iso}Z`);

const submission = (overrides: Partial<JobSubmittedData> = {}): JobSubmittedData => ({
  job_id: JOB,
  client_id: 'alice',
  payload: { type: 'inference', prompt: 'hi', model: 'llama3.2:latest' },
  constraints: {},
  requirements: {
    models: ['llama3.2:latest'],
    services: [],
    gpu: null,
    min_vram_mb: null,
    min_cuda: null,
    region: null,
    max_price_micro: null,
  },
  ttl_seconds: 60,
  timeout_seconds: 30,
  max_attempts: 3,
  priority: 0,
  payment_amount_micro: null,
  payment_currency: 'AITBC',
  webhook_url: null,
  requested_at: SUBMITTED_AT.toISOString(),
  expires_at: EXPIRES_AT.toISOString(),
  ...overrides,
});

/** Given these events (in stream order), the job's state. */
function given(...events: NewJobEvent[]): JobState {
  return events.reduce(
    (state, event, index) =>
      evolveJob(state, { ...event, streamId: `job-${JOB}`, streamPosition: index + 1, schemaVersion: 1 }),
    initialJobState(),
  );
}

/** Applies a decision's events to a state, for multi-step stories. */
const then = (state: JobState, events: NewJobEvent[]): JobState =>
  events.reduce(
    (s, event) => evolveJob(s, { ...event, streamId: `job-${JOB}`, streamPosition: 0, schemaVersion: 1 }),
    state,
  );

const submitted = (overrides: Partial<JobSubmittedData> = {}): NewJobEvent => ({
  type: 'JobSubmitted',
  data: submission(overrides),
});
const assigned = (minerId: string, attempt: number, time = '10:00:10.000'): NewJobEvent => ({
  type: 'JobAssigned',
  data: {
    miner_id: minerId,
    attempt,
    assigned_at: at(time).toISOString(),
    lease_expires_at: new Date(at(time).getTime() + LEASE_TTL_SECONDS * 1000).toISOString(),
    timeout_at: new Date(at(time).getTime() + 30_000).toISOString(),
  },
});
const requeued = (minerId: string, attempt: number, code = 'E_OOM', excluded: string | null = null): NewJobEvent => ({
  type: 'JobRequeued',
  data: {
    miner_id: minerId,
    attempt,
    error: { code, message: 'x' },
    excluded_miner_id: excluded,
    requeued_at: at('10:00:20.000').toISOString(),
    expires_at: at('10:15:20.000').toISOString(),
  },
});
const completed = (minerId: string, attempt: number): NewJobEvent => ({
  type: 'JobCompleted',
  data: {
    miner_id: minerId,
    attempt,
    result: { response: 'hello' },
    metrics: {},
    result_hash: 'sha256:aa',
    completed_at: at('10:00:30.000').toISOString(),
  },
});
const failed = (minerId: string, attempt: number): NewJobEvent => ({
  type: 'JobFailed',
  data: {
    miner_id: minerId,
    attempt,
    error: { code: 'E_DENY', message: 'x' },
    failed_at: at('10:00:30.000').toISOString(),
  },
});
const canceled = (minerId: string | null = null): NewJobEvent => ({
  type: 'JobCanceled',
  data: { by: 'alice', miner_id: minerId, canceled_at: at('10:00:30.000').toISOString() },
});
const expired: NewJobEvent = { type: 'JobExpired', data: { expired_at: at('10:01:00.000').toISOString() } };

const TERMINAL_HISTORIES: [string, NewJobEvent[]][] = [
  ['COMPLETED', [submitted(), assigned('rig-1', 1), completed('rig-1', 1)]],
  ['FAILED', [submitted(), assigned('rig-1', 1), failed('rig-1', 1)]],
  ['CANCELED', [submitted(), assigned('rig-1', 1), canceled('rig-1')]],
  ['EXPIRED', [submitted(), expired]],
];

describe('job aggregate', () => {
  describe('evolveJob', () => {
    it('queues a submitted job with no attempts yet', () => {
      expect(given(submitted())).toEqual({
        ...initialJobState(),
        exists: true,
        jobId: JOB,
        clientId: 'alice',
        status: 'QUEUED',
        attempts: 0,
        maxAttempts: 3,
        timeoutSeconds: 30,
        ttlSeconds: 60,
        expiresAt: EXPIRES_AT.toISOString(),
        requirements: submission().requirements,
      });
    });

    it('runs an assigned job under its miner, counting the attempt', () => {
      const [assignment] = [assigned('rig-1', 1)];
      expect(given(submitted(), assignment)).toMatchObject({
        status: 'RUNNING',
        minerId: 'rig-1',
        attempts: 1,
        // the start of the coordinator's own lease time, which caps the units a receipt bills
        assignedAt: (assignment.data as { assigned_at: string }).assigned_at,
        started: false,
      });
    });

    it('requeues without the miner, remembering it as a former holder and keeping the attempt count', () => {
      expect(given(submitted(), assigned('rig-1', 1), requeued('rig-1', 1))).toMatchObject({
        status: 'QUEUED',
        minerId: null,
        formerMiners: ['rig-1'],
        excludedMiners: [],
        attempts: 1,
      });
    });

    it('excludes a miner named by the requeue', () => {
      const state = given(submitted(), assigned('rig-1', 1), requeued('rig-1', 1, 'E_MODEL_NOT_FOUND', 'rig-1'));
      expect(state.excludedMiners).toEqual(['rig-1']);
    });

    it.each(TERMINAL_HISTORIES)('ends in %s', (status, history) => {
      expect(given(...history).status).toBe(status);
    });
  });

  describe('decideAssign', () => {
    it('assigns a queued job with the next attempt number, a lease and a run deadline', () => {
      expect(decideAssign(given(submitted()), 'rig-1', at('10:00:10.000'), LEASE_TTL_SECONDS)).toEqual([
        assigned('rig-1', 1),
      ]);
    });

    it('leaves the run deadline open when the job has no timeout', () => {
      const [event] = decideAssign(given(submitted({ timeout_seconds: null })), 'rig-1', at('10:00:10.000'), 60);
      expect(event).toMatchObject({ type: 'JobAssigned', data: { timeout_at: null } });
    });

    it('does not assign a running job again, nor to an excluded miner', () => {
      expect(decideAssign(given(submitted(), assigned('rig-1', 1)), 'rig-2', at('10:00:11.000'), 60)).toEqual([]);
      const excluded = given(submitted(), assigned('rig-1', 1), requeued('rig-1', 1, 'E_MODEL_NOT_FOUND', 'rig-1'));
      expect(decideAssign(excluded, 'rig-1', at('10:00:21.000'), 60)).toEqual([]);
      expect(decideAssign(excluded, 'rig-2', at('10:00:21.000'), 60)).toEqual([assigned('rig-2', 2, '10:00:21.000')]);
    });

    it.each(TERMINAL_HISTORIES)('never assigns a job once it is %s', (_status, history) => {
      expect(decideAssign(given(...history), 'rig-2', at('10:00:40.000'), 60)).toEqual([]);
    });
  });

  describe('decideExpire (queue TTL)', () => {
    it('expires a job still queued once its TTL has passed', () => {
      expect(decideExpire(given(submitted()), at('10:01:00.500'))).toEqual([
        { type: 'JobExpired', data: { expired_at: '2026-01-24T10:01:00.500Z' } },
      ]);
    });

    it('expires it at the exact expiry instant, not a millisecond before', () => {
      expect(decideExpire(given(submitted()), EXPIRES_AT)).toHaveLength(1);
      expect(decideExpire(given(submitted()), new Date(EXPIRES_AT.getTime() - 1))).toEqual([]);
    });

    it('never expires a running job, however late', () => {
      expect(decideExpire(given(submitted(), assigned('rig-1', 1)), at('11:00:00.000'))).toEqual([]);
    });

    it('does nothing for an unknown job', () => {
      expect(decideExpire(initialJobState(), at('11:00:00.000'))).toEqual([]);
    });

    it.each(TERMINAL_HISTORIES)('leaves a job alone once it is %s', (_status, history) => {
      expect(decideExpire(given(...history), at('11:00:00.000'))).toEqual([]);
    });
  });

  describe('a requeued job', () => {
    it('gets a fresh queue TTL from the requeue, so the original deadline does not expire it', () => {
      const state = then(
        given(submitted(), assigned('rig-1', 1)),
        decideLeaseLost(given(submitted(), assigned('rig-1', 1)), 'rig-1', 1, at('10:00:50.000')),
      );
      expect(state.expiresAt).toBe(new Date(at('10:00:50.000').getTime() + 60_000).toISOString());
      expect(decideExpire(state, new Date(at('10:00:50.000').getTime() + 59_999))).toEqual([]);
      expect(decideExpire(state, new Date(at('10:00:50.000').getTime() + 60_000)).map((e) => e.type)).toEqual([
        'JobExpired',
      ]);
    });
  });

  describe('decideLeaseLost (the miner stopped heartbeating)', () => {
    it('requeues the job while attempts remain, without excluding the miner', () => {
      expect(decideLeaseLost(given(submitted(), assigned('rig-1', 1)), 'rig-1', 1, at('10:01:10.000'))).toEqual([
        {
          type: 'JobRequeued',
          data: {
            miner_id: 'rig-1',
            attempt: 1,
            error: { code: 'E_LEASE_LOST', message: 'the miner stopped heartbeating' },
            excluded_miner_id: null,
            requeued_at: '2026-01-24T10:01:10.000Z',

            expires_at: '2026-01-24T10:02:10.000Z',
          },
        },
      ]);
    });

    it('fails the job with E_LEASE_LOST when the lost attempt was the last one', () => {
      const state = given(
        submitted(),
        assigned('rig-1', 1),
        requeued('rig-1', 1, 'E_LEASE_LOST'),
        assigned('rig-1', 2),
        requeued('rig-1', 2, 'E_LEASE_LOST'),
        assigned('rig-2', 3),
      );
      expect(decideLeaseLost(state, 'rig-2', 3, at('10:02:00.000'))).toEqual([
        {
          type: 'JobFailed',
          data: {
            miner_id: 'rig-2',
            attempt: 3,
            error: { code: 'E_LEASE_LOST', message: 'the miner stopped heartbeating' },
            failed_at: '2026-01-24T10:02:00.000Z',
          },
        },
      ]);
    });

    it('ignores a stale lease: the job was requeued and assigned again since', () => {
      const state = given(submitted(), assigned('rig-1', 1), requeued('rig-1', 1), assigned('rig-1', 2));
      expect(decideLeaseLost(state, 'rig-1', 1, at('10:02:00.000'))).toEqual([]);
    });

    it('ignores a lease of another miner, a requeued job and a job that is over', () => {
      expect(decideLeaseLost(given(submitted(), assigned('rig-1', 1)), 'rig-2', 1, at('10:02:00.000'))).toEqual([]);
      expect(
        decideLeaseLost(given(submitted(), assigned('rig-1', 1), requeued('rig-1', 1)), 'rig-1', 1, at('10:02:00.000')),
      ).toEqual([]);
      for (const [, history] of TERMINAL_HISTORIES) {
        expect(decideLeaseLost(given(...history), 'rig-1', 1, at('10:02:00.000'))).toEqual([]);
      }
    });
  });

  describe('decideTimeout (the run took longer than timeout_seconds)', () => {
    it('requeues with E_TIMEOUT while attempts remain', () => {
      expect(decideTimeout(given(submitted(), assigned('rig-1', 1)), 1, at('10:00:40.000'))).toEqual([
        {
          type: 'JobRequeued',
          data: {
            miner_id: 'rig-1',
            attempt: 1,
            error: { code: 'E_TIMEOUT', message: 'the job ran longer than its 30 s timeout' },
            excluded_miner_id: null,
            requeued_at: '2026-01-24T10:00:40.000Z',

            expires_at: '2026-01-24T10:01:40.000Z',
          },
        },
      ]);
    });

    it('fails the job with E_TIMEOUT on its last attempt', () => {
      const state = given(submitted({ max_attempts: 1 }), assigned('rig-1', 1));
      expect(decideTimeout(state, 1, at('10:00:40.000'))).toEqual([
        {
          type: 'JobFailed',
          data: {
            miner_id: 'rig-1',
            attempt: 1,
            error: { code: 'E_TIMEOUT', message: 'the job ran longer than its 30 s timeout' },
            failed_at: '2026-01-24T10:00:40.000Z',
          },
        },
      ]);
    });

    it('ignores a deadline of an earlier attempt and a job no longer running', () => {
      const again = given(submitted(), assigned('rig-1', 1), requeued('rig-1', 1), assigned('rig-2', 2));
      expect(decideTimeout(again, 1, at('10:00:40.000'))).toEqual([]);
      expect(decideTimeout(given(submitted()), 0, at('10:00:40.000'))).toEqual([]);
      for (const [, history] of TERMINAL_HISTORIES) {
        expect(decideTimeout(given(...history), 1, at('10:02:00.000'))).toEqual([]);
      }
    });
  });

  describe('a failed attempt: requeue or fail', () => {
    const running = (attempt: number, maxAttempts = 3): JobState => {
      let state = given(submitted({ max_attempts: maxAttempts }));
      for (let n = 1; n <= attempt; n++) {
        state = then(state, [assigned('rig-1', n)]);
        if (n < attempt) {
          state = then(state, [requeued('rig-1', n)]);
        }
      }
      return state;
    };
    const failWith = (state: JobState, code: string) =>
      decideFail(state, 'rig-1', { code, message: 'boom' }, at('10:00:50.000')).map((event) => event.type);

    it.each(['E_OOM', 'E_NOGPU', 'E_TIMEOUT', 'E_RUNTIME'])(
      'requeues on retryable %s while attempts < max_attempts, then fails',
      (code) => {
        expect(failWith(running(1), code)).toEqual(['JobRequeued']);
        expect(failWith(running(2), code)).toEqual(['JobRequeued']);
        expect(failWith(running(3), code)).toEqual(['JobFailed']);
      },
    );

    it.each(['E_DENY', 'E_BAD_INPUT'])('fails at once on terminal %s', (code) => {
      expect(decideFail(running(1), 'rig-1', { code, message: 'no' }, at('10:00:50.000'))).toEqual([
        {
          type: 'JobFailed',
          data: {
            miner_id: 'rig-1',
            attempt: 1,
            error: { code, message: 'no' },
            failed_at: '2026-01-24T10:00:50.000Z',
          },
        },
      ]);
    });

    it('requeues on E_MODEL_NOT_FOUND and never gives the job to that miner again', () => {
      const events = decideFail(
        running(1),
        'rig-1',
        { code: 'E_MODEL_NOT_FOUND', message: 'no model' },
        at('10:00:50.000'),
      );
      expect(events).toEqual([
        {
          type: 'JobRequeued',
          data: {
            miner_id: 'rig-1',
            attempt: 1,
            error: { code: 'E_MODEL_NOT_FOUND', message: 'no model' },
            excluded_miner_id: 'rig-1',
            requeued_at: '2026-01-24T10:00:50.000Z',

            expires_at: '2026-01-24T10:01:50.000Z',
          },
        },
      ]);
      const after = then(running(1), events);
      expect(decideAssign(after, 'rig-1', at('10:00:51.000'), 60)).toEqual([]);
      expect(decideAssign(after, 'rig-2', at('10:00:51.000'), 60)).toHaveLength(1);
    });

    it('fails once max_attempts is 1, even on a retryable code', () => {
      expect(failWith(running(1, 1), 'E_OOM')).toEqual(['JobFailed']);
    });

    it('rejects a report on an unknown job (404), from a stranger (403) and from a former holder (409)', () => {
      expect(() => failWith(initialJobState(), 'E_OOM')).toThrow(JobNotFoundError);
      expect(() => decideFail(running(1), 'rig-9', { code: 'E_OOM', message: 'x' }, at('10:00:50.000'))).toThrow(
        NotAssignedMinerError,
      );
      const moved = then(running(1), [requeued('rig-1', 1), assigned('rig-2', 2)]);
      expect(() => failWith(moved, 'E_OOM')).toThrow(JobNotRunningError);
    });
  });

  describe('terminal states are final', () => {
    it.each(TERMINAL_HISTORIES)('a job cannot be canceled once it is %s', (status, history) => {
      expect(() => decideCancel(given(...history), 'alice', at('10:05:00.000'))).toThrow(
        new JobAlreadyTerminalError(status),
      );
    });

    it.each(TERMINAL_HISTORIES)(
      'once %s, a job takes no start, result or failure from its miner',
      (_status, history) => {
        const state = given(...history);
        if (state.status === 'EXPIRED') {
          // nobody ever held it
          expect(() => decideStart(state, 'rig-1', at('10:05:00.000'))).toThrow(NotAssignedMinerError);
          return;
        }
        expect(() => decideStart(state, 'rig-1', at('10:05:00.000'))).toThrow(JobNotRunningError);
        expect(() => decideFail(state, 'rig-1', { code: 'E_OOM', message: 'x' }, at('10:05:00.000'))).toThrow(
          JobNotRunningError,
        );
        if (state.status !== 'COMPLETED') {
          expect(() =>
            decideComplete(state, 'rig-1', { result: {}, metrics: {}, result_hash: 'sha256:bb' }, at('10:05:00.000')),
          ).toThrow(JobNotRunningError);
        }
      },
    );

    it('a completed job replays the same result and refuses a different one', () => {
      const state = given(submitted(), assigned('rig-1', 1), completed('rig-1', 1));
      const report = { result: { response: 'hello' }, metrics: {}, result_hash: 'sha256:aa' };
      expect(decideComplete(state, 'rig-1', report, at('10:05:00.000'))).toEqual({ replay: true });
      expect(() => decideComplete(state, 'rig-1', { ...report, result_hash: 'sha256:bb' }, at('10:05:00.000'))).toThrow(
        JobNotRunningError,
      );
    });

    it('cancels a queued job, and a running one with word to its miner', () => {
      expect(decideCancel(given(submitted()), 'alice', at('10:00:05.000'))).toEqual([
        { type: 'JobCanceled', data: { by: 'alice', miner_id: null, canceled_at: '2026-01-24T10:00:05.000Z' } },
      ]);
      expect(decideCancel(given(submitted(), assigned('rig-1', 1)), 'alice', at('10:00:15.000'))).toEqual([
        { type: 'JobCanceled', data: { by: 'alice', miner_id: 'rig-1', canceled_at: '2026-01-24T10:00:15.000Z' } },
      ]);
      expect(() => decideCancel(initialJobState(), 'alice', at('10:00:15.000'))).toThrow(JobNotFoundError);
    });
  });
});
