import { AppError, ErrorCode } from '@aitbc/contracts';

/** Another writer changed the stream since the caller read it; reload and decide again. */
export class ConcurrencyError extends AppError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
  ) {
    super(ErrorCode.CONCURRENCY_CONFLICT, `stream ${streamId} is not at the expected version (${expected})`);
  }
}

/** An event with this id is already stored: the append was a retry of one that committed. */
export class DuplicateEventError extends AppError {
  constructor(readonly eventId: string | null) {
    super(ErrorCode.CONFLICT, 'an event with this id was already appended');
  }
}

/** Programming errors: an unregistered or doubly registered event type, an unreadable schema version. */
export class EventRegistryError extends Error {
  override name = 'EventRegistryError';
}
