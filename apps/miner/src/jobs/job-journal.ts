import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailBody, ResultBody } from '../coordinator/coordinator-client';

/** What the miner owes the coordinator for a job, once the run has ended. */
export type JobReport = { kind: 'result'; body: ResultBody } | { kind: 'fail'; body: FailBody };

/** One attempt at a job: the coordinator may hand a requeued job back to the same miner. */
export interface AttemptRef {
  job_id: string;
  attempt: number;
}

/**
 * One attempt's durable record, `<workspace>/<job_id>.<attempt>/state.json`. Written before the
 * run starts and again when it ends (with the report), so a restarted miner knows what it was doing.
 */
export interface JournalEntry extends AttemptRef {
  accepted_at: string;
  lease_expires_at: string;
  phase: 'running' | 'finished';
  /** Short description for the dashboard: runner and model/tool, never the payload itself. */
  summary: string;
  report?: JobReport;
}

/** What a previous run left: `attempt` is null only for an unreadable record of the old layout. */
export interface Leftover {
  /** The record's folder name inside the workspace, for `remove()`. */
  name: string;
  jobId: string;
  attempt: number | null;
  entry: JournalEntry | null;
}

const STATE_FILE = 'state.json';
/** `<job_id>.<attempt>`; a bare `<job_id>` is the layout before attempts had their own folders. */
const FOLDER = /^([0-9a-f]{32})(?:\.([1-9]\d{0,8}))?$/;

/** The folder of one attempt, relative to the workspace. */
export function attemptFolder(ref: AttemptRef): string {
  return `${ref.job_id}.${ref.attempt}`;
}

/**
 * Each attempt has its own folder, so a report still owed for attempt 1 and the run of attempt 2 of
 * the same job never share (or delete) each other's files.
 */
export class JobJournal {
  constructor(private readonly root: string) {}

  /** The folder of an attempt (`AttemptRef`) or of a leftover (its `name`). */
  jobDir(ref: AttemptRef | string): string {
    return join(this.root, typeof ref === 'string' ? ref : attemptFolder(ref));
  }

  /** The runner's own directory inside the attempt's folder, emptied with it. */
  workDir(ref: AttemptRef): string {
    return join(this.jobDir(ref), 'work');
  }

  async begin(entry: Omit<JournalEntry, 'phase' | 'report'>): Promise<void> {
    await mkdir(this.workDir(entry), { recursive: true, mode: 0o700 });
    await this.write({ ...entry, phase: 'running' });
  }

  async finish(entry: JournalEntry, report: JobReport): Promise<JournalEntry> {
    const finished: JournalEntry = { ...entry, phase: 'finished', report };
    await this.write(finished);
    return finished;
  }

  /** Forget an attempt once the coordinator has its report (or can no longer take one). */
  async remove(ref: AttemptRef | string): Promise<void> {
    await rm(this.jobDir(ref), { recursive: true, force: true });
  }

  /** Every attempt a previous run left behind, oldest attempt of a job first; unreadable records as bare ids. */
  async leftovers(): Promise<Leftover[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw error;
    }
    const found: Leftover[] = [];
    for (const name of names) {
      const match = FOLDER.exec(name);
      if (!match) {
        continue;
      }
      const jobId = match[1];
      const named = match[2] === undefined ? null : Number(match[2]);
      let entry: JournalEntry | null;
      try {
        entry = JSON.parse(await readFile(join(this.root, name, STATE_FILE), 'utf8')) as JournalEntry;
        if (entry.job_id !== jobId || (named !== null && entry.attempt !== named)) {
          entry = null;
        }
      } catch {
        entry = null;
      }
      const attempt = named ?? (typeof entry?.attempt === 'number' ? entry.attempt : null);
      found.push({ name, jobId, attempt, entry });
    }
    return found.sort((a, b) => a.jobId.localeCompare(b.jobId) || (a.attempt ?? 0) - (b.attempt ?? 0));
  }

  /** Atomic and durable: write a temp file, fsync it, rename over the old record. */
  private async write(entry: JournalEntry): Promise<void> {
    const dir = this.jobDir(entry);
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
