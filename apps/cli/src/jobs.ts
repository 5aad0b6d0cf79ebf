import type { JobStateName, JobViewDto } from '@aitbc/contracts';
import { usageError } from './exit-codes';

/*
 * Job facts the commands share. Types only come from @aitbc/contracts: its runtime pulls in the
 * NestJS decorators, which would cost every CLI start half a second.
 */

const STATES: Record<JobStateName, 'active' | 'terminal'> = {
  QUEUED: 'active',
  RUNNING: 'active',
  COMPLETED: 'terminal',
  FAILED: 'terminal',
  CANCELED: 'terminal',
  EXPIRED: 'terminal',
};

export const JOB_STATE_NAMES = Object.keys(STATES) as JobStateName[];

export function isTerminal(state: string): boolean {
  return STATES[state as JobStateName] === 'terminal';
}

/** A `--state` value, any case, as the API spells it. */
export function jobState(text: string | undefined): JobStateName | undefined {
  if (text === undefined) {
    return undefined;
  }
  const state = text.toUpperCase() as JobStateName;
  if (!(state in STATES)) {
    throw usageError(`--state must be one of ${JOB_STATE_NAMES.join(', ')} (got "${text}")`);
  }
  return state;
}

/** A job id argument: the API's 32 lowercase hex (checked here so a typo is a usage error, not a 404). */
export function jobIdArgument(positionals: readonly string[]): string {
  const id = positionals[0];
  if (id === undefined) {
    throw usageError('a job id is required');
  }
  if (!/^[0-9a-fA-F]{32}$/.test(id)) {
    throw usageError(`"${id}" is not a job id (32 hexadecimal digits)`);
  }
  return id.toLowerCase();
}

/** The readable part of a job result: an LLM's text, a transcript, or else compact JSON. */
export function resultText(result: unknown): string {
  if (result === null || result === undefined) {
    return '';
  }
  if (typeof result === 'string') {
    return result;
  }
  const value = result as Record<string, unknown>;
  const message = value.message as { content?: unknown } | undefined;
  for (const candidate of [value.response, message?.content, value.text, value.output, value.output_url]) {
    if (typeof candidate === 'string') {
      return candidate;
    }
  }
  return JSON.stringify(result);
}

/** One line about a job's state, for progress and status. */
export function describeState(view: Pick<JobViewDto, 'state' | 'assigned_miner_id' | 'attempts' | 'error'>): string {
  const parts: string[] = [view.state];
  if (view.state === 'RUNNING' && view.assigned_miner_id) {
    parts.push(`on ${view.assigned_miner_id}`);
  }
  if (view.attempts > 1) {
    parts.push(`attempt ${view.attempts}`);
  }
  if (view.error) {
    parts.push(`${view.error.code}: ${view.error.message}`);
  }
  return parts.join(' · ');
}
