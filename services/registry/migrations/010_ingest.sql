-- Other systems that publish into partrack (`partrack publisher add`): the
-- CURVE public key they connect with and the units whose subtrees they may
-- touch. A revoked publisher is refused at its next connection and for every
-- message after the revocation.
CREATE TABLE registry.publisher (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    public_key  text NOT NULL UNIQUE CHECK (length(public_key) = 40),
    scope       text[] NOT NULL CHECK (cardinality(scope) > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- The ingest endpoint's own CURVE keypair, made at the registry's first
-- start; publishers' key files carry its public half.
CREATE TABLE registry.ingest_key (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    public_key  text NOT NULL,
    secret_key  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Measurements published for a unit, indicator and period (value, or
-- numerator and denominator), with the publisher and its own clock.
CREATE TABLE registry.measurement (
    id          bigserial PRIMARY KEY,
    top_code    text NOT NULL,
    unit_code   text NOT NULL,
    indicator   text NOT NULL,
    period      text NOT NULL,
    value       double precision,
    numerator   double precision,
    denominator double precision,
    publisher   text NOT NULL,
    source_at   timestamptz,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX measurement_unit_idx ON registry.measurement (unit_code, indicator, period, id);

-- An update from a publisher keeps the publisher's clock beside ours.
ALTER TABLE registry.task_update ADD COLUMN source_at timestamptz;
