import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailBody, ResultBody } from '../coordinator/coordinator-client';

/** What the miner owes the coordinator for a job, once the run has ended. */
export type JobReport = { kind: 'result'; body: ResultBody } | { kind: 'fail'; body: FailBody };

/**
 * One job's durable record, `<workspace>/<job_id>/state.json`. Written before the run starts and
 * again when it ends (with the report), so a restarted miner knows what it was doing.
 */
export interface JournalEntry {
  job_id: string;
  attempt: number;
  accepted_at: string;
  lease_expires_at: string;
  phase: 'running' | 'finished';
  /** Short description for the dashboard: runner and model/tool, never the payload itself. */
  summary: string;
  report?: JobReport;
}

const STATE_FILE = 'state.json';
const JOB_ID = /^[0-9a-f]{32}$/;

export class JobJournal {
  constructor(private readonly root: string) {}

  jobDir(jobId: string): string {
    return join(this.root, jobId);
  }

  /** The runner's own directory inside the job's folder, emptied with it. */
  workDir(jobId: string): string {
    return join(this.root, jobId, 'work');
  }

  async begin(entry: Omit<JournalEntry, 'phase' | 'report'>): Promise<void> {
    await mkdir(this.workDir(entry.job_id), { recursive: true, mode: 0o700 });
    await this.write({ ...entry, phase: 'running' });
  }

  async finish(entry: JournalEntry, report: JobReport): Promise<JournalEntry> {
    const finished: JournalEntry = { ...entry, phase: 'finished', report };
    await this.write(finished);
    return finished;
  }

  /** Forget a job once the coordinator has its report (or can no longer take one). */
  async remove(jobId: string): Promise<void> {
    await rm(this.jobDir(jobId), { recursive: true, force: true });
  }

  /** Every job a previous run left behind; unreadable records are returned as bare ids. */
  async leftovers(): Promise<{ jobId: string; entry: JournalEntry | null }[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw error;
    }
    const found: { jobId: string; entry: JournalEntry | null }[] = [];
    for (const name of names.filter((n) => JOB_ID.test(n)).sort()) {
      let entry: JournalEntry | null;
      try {
        entry = JSON.parse(await readFile(join(this.root, name, STATE_FILE), 'utf8')) as JournalEntry;
        if (entry.job_id !== name) {
          entry = null;
        }
      } catch {
        entry = null;
      }
      found.push({ jobId: name, entry });
    }
    return found;
  }

  /** Atomic and durable: write a temp file, fsync it, rename over the old record. */
  private async write(entry: JournalEntry): Promise<void> {
    const dir = this.jobDir(entry.job_id);
    const tmp = join(dir, `${STATE_FILE}.tmp`);
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, STATE_FILE));
  }
}
