-- Schema version 6: caregiver sharing. One `share` row per pairing, in either role: on a
-- patient's phone it holds the caregiver's push subscription and the VAPID key; on a
-- caregiver's phone, the keys that open the patient's messages. Everything about a share
-- (names, scopes, keys, endpoint, sync cursors) is sealed; only what the outbox needs to pick
-- due work is plain.

CREATE TABLE share (
    id               INTEGER PRIMARY KEY,
    -- A random public id, the same in both databases, naming the share in its messages. It
    -- is no secret and says nothing about health.
    share_key        TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL CHECK (role IN ('patient', 'caregiver')),
    state            TEXT NOT NULL CHECK (state IN ('offered', 'active', 'revoked', 'gone')),
    details          BLOB NOT NULL,
    next_seq         INTEGER NOT NULL DEFAULT 1,
    paused_until     INTEGER,           -- the push service asked to wait (429)
    last_delivered_at INTEGER,
    last_received_at INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

-- Messages waiting for the push service to accept them (patient side). A row is deleted in
-- the transaction that records its acceptance, so an accepted message is never sent again.
CREATE TABLE share_outbox (
    -- AUTOINCREMENT: an id is never reused, so a late result for a deleted row cannot
    -- settle a newer message.
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    share_id        INTEGER NOT NULL REFERENCES share (id),
    seq             INTEGER NOT NULL,
    message         BLOB NOT NULL,      -- sealed plaintext; encrypted for the caregiver at send
    urgent          INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (share_id, seq)
) STRICT;
CREATE INDEX share_outbox_due ON share_outbox (next_attempt_at);

-- Messages received from a patient (caregiver side), sealed. Unique ids and sequence numbers
-- make a duplicate or replayed message a no-op.
CREATE TABLE share_inbox (
    id          INTEGER PRIMARY KEY,
    share_id    INTEGER NOT NULL REFERENCES share (id),
    seq         INTEGER NOT NULL,
    message_id  TEXT NOT NULL,
    message     BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (share_id, seq),
    UNIQUE (share_id, message_id)
) STRICT;
