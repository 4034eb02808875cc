-- Fixes the original's two flaws in place, keeping every row and every column name (its queries still work):
-- p is a float in the payload (the original stored it in an int), and tst alone as the key lost one of two
-- users' fixes in the same second: the key becomes (userid, device, tst).
UPDATE locationupdates SET userid = '' WHERE userid IS NULL;
UPDATE locationupdates SET device = '' WHERE device IS NULL;
ALTER TABLE locationupdates
    ALTER COLUMN userid SET NOT NULL,
    ALTER COLUMN device SET NOT NULL,
    ALTER COLUMN p TYPE double precision,
    ALTER COLUMN rawdata TYPE jsonb USING rawdata::jsonb,
    DROP CONSTRAINT IF EXISTS locationupdates_pkey;
ALTER TABLE locationupdates ADD CONSTRAINT locationupdates_pkey PRIMARY KEY (userid, device, tst);
-- the location fields the original dropped (they stay in rawdata as well)
ALTER TABLE locationupdates
    ADD COLUMN IF NOT EXISTS bs smallint,
    ADD COLUMN IF NOT EXISTS inregions jsonb,
    ADD COLUMN IF NOT EXISTS ssid text,
    ADD COLUMN IF NOT EXISTS bssid text,
    ADD COLUMN IF NOT EXISTS created_at timestamp,
    -- when the row was written (clock_timestamp: not the transaction's start, which now() would give)
    ADD COLUMN IF NOT EXISTS received_at timestamptz DEFAULT clock_timestamp();

-- messages of other _types (transition, waypoint, lwt, card, ...): kept, not silently dropped; a redelivered
-- message is the same topic and payload, so its digest keeps it from being stored twice
CREATE TABLE IF NOT EXISTS other_messages (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    userid text,
    device text,
    type text NOT NULL,
    rawdata jsonb NOT NULL,
    digest bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, digest));

-- what could not be stored, and why
CREATE TABLE IF NOT EXISTS rejected_messages (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    payload bytea NOT NULL,
    reason text NOT NULL,
    digest bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, digest));
