-- People's CURVE keys for the feed endpoint (`partrack person key ID`): one
-- a person; a new key replaces the old, which is refused from then on.
CREATE TABLE notify.person_key (
    person_id  text PRIMARY KEY,
    public_key text NOT NULL UNIQUE CHECK (length(public_key) = 40),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The feed endpoint's own CURVE keypair, made at the first start.
CREATE TABLE notify.feed_key (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    public_key text NOT NULL,
    secret_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
