-- Consultations (lấy ý kiến): from_unit asks to_unit for an opinion by
-- due_on; without an answer by 24:00 of effective_due (due_on, or the next
-- working day) it is deemed agreed. The deadline service decides that at the
-- deadline and says so in its event; status here records answers.
CREATE TABLE registry.consultation (
    id            bigserial PRIMARY KEY,
    top_code      text NOT NULL,
    from_unit     text NOT NULL REFERENCES registry.unit (code),
    to_unit       text NOT NULL REFERENCES registry.unit (code),
    subject       text NOT NULL CHECK (subject <> ''),
    due_on        date NOT NULL,
    effective_due date NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    answer        text,
    answered_at   timestamptz
);
