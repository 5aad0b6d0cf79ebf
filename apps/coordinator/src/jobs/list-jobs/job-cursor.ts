import { AppError, ErrorCode } from '@aitbc/contracts';

/** An opaque position in a newest-first listing: the last row's (requested_at, job_id). */
export interface JobCursor {
  requestedAt: string;
  jobId: string;
}

export function encodeCursor(cursor: JobCursor): string {
  return Buffer.from(`${cursor.requestedAt}|${cursor.jobId}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): JobCursor {
  const [requestedAt, jobId, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !jobId || !/^[0-9a-f]{32}$/.test(jobId) || Number.isNaN(Date.parse(requestedAt))) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'cursor is not one this API returned', [
      { field: 'cursor', message: 'use next_cursor from the previous page', code: 'cursor' },
    ]);
  }
  return { requestedAt, jobId };
}
