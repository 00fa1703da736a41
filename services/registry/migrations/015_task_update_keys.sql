-- A published task update keeps its publisher's idempotency key on its own
-- row. The key's unique index is what finds a message sent again; before,
-- each update also wrote a registry.request_log row holding its
-- acknowledgement (a heap row and an index entry more per update, about a
-- sixth of the ingest's cost). Measurements and the CLI's requests still use
-- request_log. A publisher's keys are unique among its task updates.
ALTER TABLE registry.task_update ADD COLUMN idempotency_key text;

-- Nothing looks an update up by id: a task's history is read by task
-- (task_update_task_idx), a published one by its key, and the ids come from
-- the table's sequence. The primary key's index, kept up at the publishing
-- rate, goes; the column stays NOT NULL.
ALTER TABLE registry.task_update DROP CONSTRAINT task_update_pkey;

-- Updates published before this migration: their key moves from request_log
-- to the update its acknowledgement names. The acknowledgement is an
-- IngestAck (reply_type 82) of a TaskUpdate (type 80); its first field is
-- the update's id (tag 0x08, then a base-128 varint, low bits first).
CREATE FUNCTION pg_temp.ingest_ack_id(reply bytea) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    id bigint := 0;
    shift integer := 0;
    pos integer := 1;
    b integer;
BEGIN
    IF length(reply) < 2 OR get_byte(reply, 0) <> 8 THEN
        RETURN NULL;
    END IF;
    LOOP
        IF pos >= length(reply) OR shift > 56 THEN
            RETURN NULL;
        END IF;
        b := get_byte(reply, pos);
        id := id | ((b & 127)::bigint << shift);
        EXIT WHEN b < 128;
        pos := pos + 1;
        shift := shift + 7;
    END LOOP;
    RETURN id;
END
$$;

UPDATE registry.task_update t SET idempotency_key = r.idempotency_key
FROM registry.request_log r
WHERE r.type = 80 AND r.reply_type = 82 AND t.actor = r.publisher
  AND t.id = pg_temp.ingest_ack_id(r.reply);

DELETE FROM registry.request_log r
WHERE r.type = 80 AND r.reply_type = 82 AND EXISTS (
    SELECT 1 FROM registry.task_update t
    WHERE t.actor = r.publisher AND t.idempotency_key = r.idempotency_key);

CREATE UNIQUE INDEX task_update_key_idx ON registry.task_update (actor, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
