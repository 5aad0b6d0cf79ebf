/**
 * DDL of the event store, used by the coordinator's migration. Kept here so the SQL that the
 * store's queries depend on lives beside them.
 *
 * - `es_streams.version` is the optimistic-concurrency key: every append moves it with one guarded
 *   statement, so two writers at the same expected version cannot both succeed.
 * - `es_events.transaction_id` (xid8) lets feed readers stay below the oldest running transaction
 *   (`pg_snapshot_xmin`) and so never skip an event whose transaction commits late.
 * - An append is one statement (see `append-sql.ts`): move the stream's version, insert the events.
 */

export const EVENT_STORE_UP_SQL = `
CREATE TABLE es_streams (
  stream_id   text PRIMARY KEY,
  stream_type text NOT NULL,
  version     bigint NOT NULL CHECK (version >= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 70); -- room on each page so version bumps are HOT updates (no index write)

CREATE SEQUENCE es_global_position AS bigint;

CREATE TABLE es_events (
  stream_id       text NOT NULL,
  stream_position bigint NOT NULL CHECK (stream_position >= 1),
  global_position bigint NOT NULL DEFAULT nextval('es_global_position'),
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  schema_version  integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, stream_position),
  CONSTRAINT es_events_event_id_key UNIQUE (event_id)
);
ALTER SEQUENCE es_global_position OWNED BY es_events.global_position;

CREATE INDEX es_events_feed_idx ON es_events (transaction_id, global_position);

CREATE TABLE es_checkpoints (
  consumer_id     text PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT '0'::xid8,
  global_position bigint NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
`;

export const EVENT_STORE_DOWN_SQL = `
DROP TABLE IF EXISTS es_checkpoints;
DROP TABLE IF EXISTS es_events;
DROP TABLE IF EXISTS es_streams;
`;
