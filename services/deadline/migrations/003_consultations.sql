-- Consultations the service watches (from the registry's events): at 24:00
-- of effective_due, one still open is deemed agreed, once.
CREATE TABLE deadline.consultation (
    id            bigint PRIMARY KEY,       -- the registry's consultation id
    from_unit     text NOT NULL,
    to_unit       text NOT NULL,
    subject       text NOT NULL,
    effective_due date NOT NULL,
    state         text NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'answered', 'deemed_agreed')),
    next_at       timestamptz              -- the deadline while open
);
CREATE INDEX consultation_next_idx ON deadline.consultation (next_at) WHERE next_at IS NOT NULL;
