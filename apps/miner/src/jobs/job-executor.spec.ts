import { randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { PolledJobDto } from '@aitbc/contracts';
import { CoordinatorClient, CoordinatorError, type ReportAttempt } from '../coordinator/coordinator-client';
import { MinerKey } from '../identity/miner-key';
import type { RunContext, RunOutcome, Runner } from '../runners/runner';
import { JobExecutor } from './job-executor';
import { JobJournal } from './job-journal';
import { MinerStats } from './miner-stats';

interface Call {
  kind: 'result' | 'fail';
  jobId: string;
  attempt: ReportAttempt;
  body: Record<string, unknown>;
}

/** Answers as the test says; by default every report is accepted at once. */
class FakeCoordinator {
  readonly calls: Call[] = [];
  answer: (call: Call, signal: AbortSignal) => Promise<unknown> = () =>
    Promise.resolve({ status: 'ok', receipt: null });

  result(jobId: string, attempt: ReportAttempt, body: object, signal: AbortSignal) {
    return this.respond({ kind: 'result', jobId, attempt, body: body as Record<string, unknown> }, signal);
  }

  fail(jobId: string, attempt: ReportAttempt, body: object, signal: AbortSignal) {
    return this.respond({ kind: 'fail', jobId, attempt, body: body as Record<string, unknown> }, signal);
  }

  private respond(call: Call, signal: AbortSignal): Promise<unknown> {
    this.calls.push(call);
    return this.answer(call, signal);
  }
}

/** Never answers: the call ends only when its signal aborts, as a real fetch does. */
const hang = (_call: Call, signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(new CoordinatorError(null, null, 'aborted')), { once: true }),
  );
const refuse = (status: number, code: string | null = null) => new CoordinatorError(status, code, `→ ${status}`);

/** Each run waits until the test ends it (or its signal aborts, as a real runner's would). */
class GateRunner implements Runner {
  readonly name = 'gate';
  readonly runs: { context: RunContext; finish: (outcome: RunOutcome) => void }[] = [];

  accepts(): boolean {
    return true;
  }

  run(context: RunContext): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.runs.push({ context, finish: resolve });
      context.signal.addEventListener(
        'abort',
        () => resolve({ ok: false, code: 'E_RUNTIME', message: 'canceled', canceled: true }),
        { once: true },
      );
    });
  }

  last(): { context: RunContext; finish: (outcome: RunOutcome) => void } {
    return this.runs[this.runs.length - 1];
  }
}

const ok = (result: Record<string, unknown> = { output: 'done' }): RunOutcome => ({
  ok: true,
  result,
  metrics: { duration_ms: 5 },
});

const jobId = () => randomBytes(16).toString('hex');
const polled = (id: string, attempt = 1): PolledJobDto => ({
  job_id: id,
  payload: { type: 'test' },
  constraints: {},
  attempt,
  lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
  timeout_seconds: null,
});

async function until<T>(probe: () => T | Promise<T>, what = 'condition', timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('JobExecutor', () => {
  let key: MinerKey;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    key = (await MinerKey.loadOrCreate(mkdtempSync(join(tmpdir(), 'executor-key-')))).key;
  });

  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), 'executor-'));
    const coordinator = new FakeCoordinator();
    const runner = new GateRunner();
    const journal = new JobJournal(root);
    const stats = new MinerStats();
    const executor = new JobExecutor(coordinator as unknown as CoordinatorClient, journal, [runner], key, stats, {
      maxJobSeconds: 60,
      onStaleCapabilities: () => undefined,
      retry: { baseMs: 2, capMs: 10, authCapMs: 40 },
    });
    return { root, coordinator, runner, journal, stats, executor };
  };

  it('reports each attempt with its number, from its own folder', async () => {
    const { coordinator, runner, journal, executor } = setup();
    const id = jobId();
    executor.accept(polled(id, 3));
    await until(() => runner.runs.length === 1, 'the run');
    expect(runner.last().context.workspace).toBe(journal.workDir({ job_id: id, attempt: 3 }));
    expect(existsSync(join(journal.jobDir({ job_id: id, attempt: 3 }), 'state.json'))).toBe(true);
    runner.last().finish(ok());
    await until(() => executor.pendingReports === 0 && coordinator.calls.length === 1, 'the report');
    expect(coordinator.calls[0]).toMatchObject({ kind: 'result', jobId: id, attempt: 3 });
    await until(async () => (await journal.leftovers()).length === 0, 'the folder removed');
  });

  describe('a newer attempt of a job arrives while an older one is still here', () => {
    it("drops the older attempt's undelivered report without touching the new attempt's workspace", async () => {
      const { coordinator, runner, journal, executor, stats } = setup();
      const id = jobId();
      coordinator.answer = hang; // the coordinator is away: attempt 1's report stays in flight
      executor.accept(polled(id, 1));
      await until(() => runner.runs.length === 1, 'attempt 1 runs');
      runner.last().finish({ ok: false, code: 'E_BAD_INPUT', message: 'attempt 1 failed' });
      await until(() => coordinator.calls.length === 1, "attempt 1's report sent");
      expect(executor.pendingReports).toBe(1);
      expect(executor.heldJobIds()).toEqual([id]);

      // meanwhile its lease ran out and the coordinator handed the job back: attempt 2
      coordinator.answer = () => Promise.resolve({ status: 'ok', receipt: { receipt_id: 'r-2' } });
      executor.accept(polled(id, 2));
      await until(() => runner.runs.length === 2, 'attempt 2 runs');
      const workspace = runner.last().context.workspace;
      await writeFile(join(workspace, 'partial.out'), 'attempt 2 at work');
      await until(() => executor.pendingReports === 0, 'the stale report dropped');
      expect(coordinator.calls).toHaveLength(1); // the stale fail was never sent again
      expect(existsSync(journal.jobDir({ job_id: id, attempt: 1 }))).toBe(false);
      expect(readFileSync(join(workspace, 'partial.out'), 'utf8')).toBe('attempt 2 at work');
      expect(stats.history[0]).toMatchObject({ job_id: id, outcome: 'interrupted' });

      runner.last().finish(ok({ output: 'attempt 2' }));
      await until(() => coordinator.calls.length === 2 && executor.pendingReports === 0, "attempt 2's report");
      expect(coordinator.calls[1]).toMatchObject({ kind: 'result', jobId: id, attempt: 2 });
      expect(await journal.leftovers()).toEqual([]);
      expect(stats.history[0]).toMatchObject({ job_id: id, outcome: 'completed', receipt_id: 'r-2' });
    });

    it('stops the older run and reports nothing for it; the new run keeps its slot and folder', async () => {
      const { coordinator, runner, journal, executor } = setup();
      const id = jobId();
      executor.accept(polled(id, 1));
      await until(() => runner.runs.length === 1, 'attempt 1 runs');
      const first = runner.last();
      executor.accept(polled(id, 2));
      await until(() => runner.runs.length === 2, 'attempt 2 runs');
      expect(first.context.signal.aborted).toBe(true);
      await until(() => !existsSync(journal.jobDir({ job_id: id, attempt: 1 })), "attempt 1's folder removed");
      expect(existsSync(runner.last().context.workspace)).toBe(true);
      expect(executor.running.get(id)?.entry.attempt).toBe(2);
      expect(coordinator.calls).toEqual([]);

      // the same attempt twice is not run twice
      executor.accept(polled(id, 2));
      expect(runner.runs).toHaveLength(2);

      runner.last().finish(ok());
      await until(() => coordinator.calls.length === 1 && executor.running.size === 0, 'attempt 2 reported');
      expect(coordinator.calls[0]).toMatchObject({ jobId: id, attempt: 2 });
    });

    it('on restart, reports the later of two journalled attempts and drops the earlier', async () => {
      const { coordinator, journal, executor } = setup();
      const id = jobId();
      for (const attempt of [1, 2]) {
        const entry = {
          job_id: id,
          attempt,
          accepted_at: new Date().toISOString(),
          lease_expires_at: new Date().toISOString(),
          summary: 'gate',
        };
        await journal.begin(entry);
        await journal.finish({ ...entry, phase: 'running' }, { kind: 'result', body: { result: { attempt } } });
      }
      coordinator.answer = (call, signal) =>
        call.attempt === 1 ? hang(call, signal) : Promise.resolve({ status: 'ok', receipt: null });
      expect(await executor.recover()).toBe(2);
      await until(() => executor.pendingReports === 0, 'both settled');
      expect(coordinator.calls.filter((call) => call.attempt === 2)).toHaveLength(1);
      expect(await journal.leftovers()).toEqual([]);
    });

    it('still reports a record of the old layout (<job_id>/, no attempt in the name)', async () => {
      const { root, coordinator, journal, executor } = setup();
      const id = jobId();
      await mkdir(join(root, id, 'work'), { recursive: true });
      writeFileSync(
        join(root, id, 'state.json'),
        JSON.stringify({
          job_id: id,
          attempt: 4,
          phase: 'running',
          summary: 'old',
          accepted_at: '',
          lease_expires_at: '',
        }),
      );
      expect(await journal.leftovers()).toEqual([expect.objectContaining({ name: id, jobId: id, attempt: 4 })]);
      await executor.recover();
      await until(() => executor.pendingReports === 0, 'reported');
      expect(coordinator.calls).toEqual([
        expect.objectContaining({
          kind: 'fail',
          jobId: id,
          attempt: 4,
          body: expect.objectContaining({ error_code: 'E_RUNTIME' }),
        }),
      ]);
      expect(existsSync(join(root, id))).toBe(false);
    });
  });

  describe('refusals', () => {
    it('turns a result the coordinator finds too large (413) into a terminal E_BAD_INPUT failure', async () => {
      const { coordinator, runner, journal, executor, stats } = setup();
      const id = jobId();
      coordinator.answer = (call) =>
        call.kind === 'result'
          ? Promise.reject(refuse(413, 'PAYLOAD_TOO_LARGE'))
          : Promise.resolve({ status: 'ok', requeued: false });
      executor.accept(polled(id, 1));
      await until(() => runner.runs.length === 1, 'the run');
      const result = { outputs: [{ name: 'out.mp4', content_base64: 'A'.repeat(5000) }] };
      runner.last().finish(ok(result));
      await until(() => coordinator.calls.length === 2 && executor.pendingReports === 0, 'the failure report');
      const size = Buffer.byteLength(JSON.stringify({ result, metrics: { duration_ms: 5 }, proof: key.proof(result) }));
      expect(coordinator.calls[1]).toEqual({
        kind: 'fail',
        jobId: id,
        attempt: 1,
        body: {
          error_code: 'E_BAD_INPUT',
          error_message: `result too large for the coordinator (${size} bytes)`,
          metrics: { duration_ms: 5 },
        },
      });
      expect(await journal.leftovers()).toEqual([]);
      expect(stats.history[0]).toMatchObject({ outcome: 'failed', error_code: 'E_BAD_INPUT' });
    });

    it.each([401, 403])(
      'keeps a report refused with %i journalled and retries it until the key works',
      async (status) => {
        const { coordinator, runner, journal, executor, stats } = setup();
        const id = jobId();
        let refusals = 0;
        coordinator.answer = () => {
          if (refusals < 3) {
            refusals += 1;
            return Promise.reject(refuse(status));
          }
          return Promise.resolve({ status: 'ok', receipt: { receipt_id: 'r-1' } });
        };
        executor.accept(polled(id, 1));
        await until(() => runner.runs.length === 1, 'the run');
        runner.last().finish(ok());
        await until(() => refusals >= 1, 'the first refusal');
        expect((await journal.leftovers()).map((left) => left.entry?.phase)).toEqual(['finished']);
        expect(executor.heldJobIds()).toEqual([id]);
        await until(() => executor.pendingReports === 0, 'delivered once the key works');
        expect(coordinator.calls).toHaveLength(4);
        expect(coordinator.calls.every((call) => call.kind === 'result')).toBe(true);
        expect(await journal.leftovers()).toEqual([]);
        expect(stats.history[0]).toMatchObject({ outcome: 'completed', receipt_id: 'r-1' });
      },
    );

    it('keeps a report refused with 401 in the journal at shutdown', async () => {
      const { coordinator, runner, journal, executor } = setup();
      coordinator.answer = () => Promise.reject(refuse(401, 'UNAUTHORIZED'));
      executor.accept(polled(jobId(), 1));
      await until(() => runner.runs.length === 1, 'the run');
      runner.last().finish(ok());
      await until(() => coordinator.calls.length >= 2, 'retried');
      expect(await executor.flush(Date.now() + 50)).toBe(false);
      expect((await journal.leftovers()).map((left) => left.entry?.report?.kind)).toEqual(['result']);
    });

    it.each([
      [404, 'JOB_NOT_FOUND'],
      [409, 'JOB_NOT_RUNNING'],
    ])('drops a report the coordinator no longer wants (%i) and forgets it', async (status, code) => {
      const { coordinator, runner, journal, executor, stats } = setup();
      coordinator.answer = () => Promise.reject(refuse(status, code));
      executor.accept(polled(jobId(), 1));
      await until(() => runner.runs.length === 1, 'the run');
      runner.last().finish(ok());
      await until(() => coordinator.calls.length === 1 && executor.pendingReports === 0, 'dropped');
      expect(coordinator.calls).toHaveLength(1);
      expect(await journal.leftovers()).toEqual([]);
      // not a completion: nothing was accepted, and no receipt (or earnings) came of it
      expect(stats.history[0]).toMatchObject({ outcome: 'interrupted', receipt_id: null });
    });
  });

  it('waits for a free slot without piling listeners onto the long-lived signal', async () => {
    const { runner, executor } = setup();
    const stopped = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 30; i += 1) {
        executor.accept(polled(jobId(), 1));
        await until(() => runner.runs.length === i + 1, `run ${i}`);
        const waiting = executor.slotFree(1, stopped.signal);
        await new Promise((resolve) => setTimeout(resolve, 0));
        expect(getEventListeners(stopped.signal, 'abort').length).toBe(1);
        runner.last().finish({ ok: false, code: 'E_RUNTIME', message: 'x' });
        await waiting;
        expect(getEventListeners(stopped.signal, 'abort')).toHaveLength(0);
      }
      // and an abort releases a waiter, also without leaving its listener behind
      executor.accept(polled(jobId(), 1));
      await until(() => executor.running.size === 1, 'one more run');
      const waiting = executor.slotFree(1, stopped.signal);
      stopped.abort();
      await waiting;
      expect(getEventListeners(stopped.signal, 'abort')).toHaveLength(0);
    } finally {
      process.off('warning', onWarning);
      executor.stopAll();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
