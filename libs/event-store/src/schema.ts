/**
 * DDL of the event store, used by the coordinator's migration. Kept here so the SQL that the
 * store's queries depend on lives beside them.
 *
 * - `es_streams.version` is the optimistic-concurrency key: every append moves it with one guarded
 *   statement, so two writers at the same expected version cannot both succeed.
 * - `es_events.transaction_id` (xid8) lets feed readers stay below the oldest running transaction
 *   (`pg_snapshot_xmin`) and so never skip an event whose transaction commits late.
 * - `es_append` does the whole append in one round trip; it raises SQLSTATE ES409 on a version
 *   mismatch.
 */
export const CONCURRENCY_SQLSTATE = 'ES409';

export const EVENT_STORE_UP_SQL = `
CREATE TABLE es_streams (
  stream_id   text PRIMARY KEY,
  stream_type text NOT NULL,
  version     bigint NOT NULL CHECK (version >= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

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
CREATE INDEX es_events_type_idx ON es_events (event_type, global_position);

CREATE TABLE es_checkpoints (
  consumer_id     text PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT '0'::xid8,
  global_position bigint NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- p_expected: NULL = any version, -1 = the stream must not exist, n >= 1 = the stream must be at n
CREATE FUNCTION es_append(
  p_stream_id   text,
  p_stream_type text,
  p_expected    bigint,
  p_event_ids   uuid[],
  p_types       text[],
  p_versions    integer[],
  p_data        jsonb[],
  p_metadata    jsonb[]
) RETURNS TABLE (next_version bigint, global_positions bigint[], transaction_id xid8)
LANGUAGE plpgsql AS $fn$
DECLARE
  n bigint := cardinality(p_event_ids);
  v_new bigint;
BEGIN
  IF n IS NULL OR n = 0 THEN
    RAISE EXCEPTION 'es_append needs at least one event' USING ERRCODE = '22023';
  END IF;
  IF p_expected IS NULL THEN
    INSERT INTO es_streams AS s (stream_id, stream_type, version)
    VALUES (p_stream_id, p_stream_type, n)
    ON CONFLICT (stream_id) DO UPDATE SET version = s.version + n, updated_at = now()
    RETURNING s.version INTO v_new;
  ELSIF p_expected = -1 THEN
    INSERT INTO es_streams (stream_id, stream_type, version)
    VALUES (p_stream_id, p_stream_type, n)
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING version INTO v_new;
  ELSE
    UPDATE es_streams SET version = version + n, updated_at = now()
    WHERE stream_id = p_stream_id AND version = p_expected
    RETURNING version INTO v_new;
  END IF;
  IF v_new IS NULL THEN
    RAISE EXCEPTION 'stream % is not at the expected version', p_stream_id USING ERRCODE = 'ES409';
  END IF;
  RETURN QUERY
  WITH inserted AS (
    INSERT INTO es_events (stream_id, stream_position, event_id, event_type, schema_version, data, metadata)
    SELECT p_stream_id, v_new - n + e.ord, e.id, e.t, e.v, e.d, coalesce(e.m, '{}'::jsonb)
    FROM unnest(p_event_ids, p_types, p_versions, p_data, p_metadata) WITH ORDINALITY AS e(id, t, v, d, m, ord)
    RETURNING es_events.stream_position, es_events.global_position
  )
  SELECT v_new, array_agg(i.global_position ORDER BY i.stream_position), pg_current_xact_id()
  FROM inserted i;
END
$fn$;
`;

export const EVENT_STORE_DOWN_SQL = `
DROP FUNCTION IF EXISTS es_append(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[]);
DROP TABLE IF EXISTS es_checkpoints;
DROP TABLE IF EXISTS es_events;
DROP TABLE IF EXISTS es_streams;
`;
