/*
 * An append is one prepared statement, so it costs one round trip and commits on its own when run
 * on a pool. The first CTE moves the stream's version under the chosen rule; the events are
 * inserted only if it returned a row, so "no row back" means the expected version did not hold.
 * Under READ COMMITTED a writer that waited for the row lock re-checks `version = $n` against the
 * committed row, so two writers at one expected version can never both succeed.
 *
 * Single events (the common case) bind scalars; batches bind arrays and unnest them, which costs
 * noticeably more per event on the server.
 */

/** $1 stream id, $2 event count, $3 the stream type (new or any) or the expected version (exact) */
const VERSION_MOVES = {
  noStream: `INSERT INTO es_streams (stream_id, stream_type, version) VALUES ($1, $3, $2)
      ON CONFLICT (stream_id) DO NOTHING RETURNING version`,
  any: `INSERT INTO es_streams AS s (stream_id, stream_type, version) VALUES ($1, $3, $2)
      ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version, updated_at = now()
      RETURNING version`,
  exact: `UPDATE es_streams SET version = version + $2, updated_at = now()
      WHERE stream_id = $1 AND version = $3 RETURNING version`,
} as const;

export type VersionRule = keyof typeof VERSION_MOVES;

const RETURNING = 'RETURNING stream_position, global_position, transaction_id::text AS transaction_id';

/** $4..$8: event id, type, schema version, data, metadata */
function single(rule: VersionRule): string {
  return `WITH moved AS (${VERSION_MOVES[rule]})
    INSERT INTO es_events (stream_id, stream_position, event_id, event_type, schema_version, data, metadata)
    SELECT $1, moved.version, $4::uuid, $5::text, $6::int, $7::jsonb, $8::jsonb FROM moved
    ${RETURNING}`;
}

/** $4..$8: arrays of event ids, types, schema versions, data, metadata */
function batch(rule: VersionRule): string {
  return `WITH moved AS (${VERSION_MOVES[rule]})
    INSERT INTO es_events (stream_id, stream_position, event_id, event_type, schema_version, data, metadata)
    SELECT $1, moved.version - $2 + e.ord, e.id, e.t, e.v, e.d, e.m
    FROM moved, unnest($4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[]) WITH ORDINALITY AS e(id, t, v, d, m, ord)
    ${RETURNING}`;
}

export const APPEND_SQL: Record<'single' | 'batch', Record<VersionRule, { name: string; text: string }>> = {
  single: {
    noStream: { name: 'es_append_1_new', text: single('noStream') },
    any: { name: 'es_append_1_any', text: single('any') },
    exact: { name: 'es_append_1_exact', text: single('exact') },
  },
  batch: {
    noStream: { name: 'es_append_n_new', text: batch('noStream') },
    any: { name: 'es_append_n_any', text: batch('any') },
    exact: { name: 'es_append_n_exact', text: batch('exact') },
  },
};
