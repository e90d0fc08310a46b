-- The schema of a Regimen database at version 9, frozen when that version shipped: the
-- migration test builds old databases from these files, never from today's migrations.
-- Never edit; a new version adds a new file.
PRAGMA application_id = 1380404558;
PRAGMA user_version = 9;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL, -- 'key_check': a sealed constant that proves the data key
    value BLOB NOT NULL
) STRICT;
CREATE TABLE medicine (
    id          INTEGER PRIMARY KEY,            -- never reused: medicines are archived, not deleted
    details     BLOB NOT NULL,                  -- sealed: name, strength, form, route, codes, instructions, notes
    revision    INTEGER NOT NULL CHECK (revision >= 1), -- +1 on every edit; guards concurrent edits
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    archived_at INTEGER                         -- NULL while the medicine is active
) STRICT;
CREATE TABLE dose_event (
    id           INTEGER PRIMARY KEY,
    medicine_id  INTEGER NOT NULL REFERENCES medicine (id),
    action       TEXT NOT NULL CHECK (action IN ('taken', 'skipped', 'snoozed')),
    scheduled_at INTEGER,                       -- the dose this answers; NULL for an unscheduled dose
    actual_at    INTEGER NOT NULL,              -- when it happened, as the patient says
    snooze_until INTEGER,                       -- set exactly when action = 'snoozed'
    recorded_at  INTEGER NOT NULL,              -- when it was written to the log
    details      BLOB, corrects INTEGER REFERENCES dose_event (id),                          -- sealed: the patient's note; NULL when there is none
    CHECK ((action = 'snoozed') = (snooze_until IS NOT NULL))
) STRICT;
CREATE INDEX dose_event_by_medicine ON dose_event (medicine_id, actual_at);
CREATE INDEX dose_event_by_time ON dose_event (actual_at);
CREATE TRIGGER dose_event_no_update BEFORE UPDATE ON dose_event
BEGIN
    SELECT RAISE(ABORT, 'dose events are append-only');
END;
CREATE TRIGGER dose_event_no_delete BEFORE DELETE ON dose_event
BEGIN
    SELECT RAISE(ABORT, 'dose events are append-only');
END;
CREATE TABLE schedule_version (
    id          INTEGER PRIMARY KEY,
    medicine_id INTEGER NOT NULL REFERENCES medicine (id),
    valid_from  INTEGER NOT NULL,   -- instant from which this version applies
    details     BLOB,               -- sealed Schedule JSON; NULL means "no schedule from here on"
    created_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX schedule_version_by_medicine ON schedule_version (medicine_id, valid_from);
CREATE TABLE device_zone (
    id      INTEGER PRIMARY KEY,
    since   INTEGER NOT NULL UNIQUE,
    details BLOB NOT NULL            -- sealed IANA zone name
) STRICT;
CREATE TABLE settings (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    details BLOB NOT NULL            -- sealed Settings JSON
) STRICT;
CREATE TABLE spacing_rule (
    id                  INTEGER PRIMARY KEY,
    first_medicine_id   INTEGER NOT NULL REFERENCES medicine (id),
    second_medicine_id  INTEGER NOT NULL REFERENCES medicine (id),
    min_gap_minutes     INTEGER NOT NULL CHECK (min_gap_minutes BETWEEN 1 AND 1440),
    created_at          INTEGER NOT NULL,
    CHECK (first_medicine_id <> second_medicine_id),
    UNIQUE (first_medicine_id, second_medicine_id)
) STRICT;
CREATE INDEX dose_event_by_dose ON dose_event (medicine_id, scheduled_at);
CREATE TABLE config_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
CREATE INDEX medicine_archived ON medicine (archived_at) WHERE archived_at IS NOT NULL;
CREATE TABLE pgx_result (
    id          INTEGER PRIMARY KEY,
    details     BLOB NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE TABLE knowledge_bundle (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    version      INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    etag         TEXT,              -- the server's ETag, sent back as If-None-Match
    installed_at INTEGER NOT NULL
) STRICT;
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
CREATE TRIGGER config_schedule_insert AFTER INSERT ON schedule_version
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_schedule_update AFTER UPDATE ON schedule_version
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_schedule_delete AFTER DELETE ON schedule_version
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_zone_insert AFTER INSERT ON device_zone
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_zone_update AFTER UPDATE ON device_zone
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_zone_delete AFTER DELETE ON device_zone
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_settings_insert AFTER INSERT ON settings
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_settings_update AFTER UPDATE ON settings
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_settings_delete AFTER DELETE ON settings
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_spacing_insert AFTER INSERT ON spacing_rule
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_spacing_update AFTER UPDATE ON spacing_rule
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_spacing_delete AFTER DELETE ON spacing_rule
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER config_medicine_archive AFTER UPDATE OF archived_at ON medicine
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;
CREATE INDEX dose_event_by_schedule ON dose_event (scheduled_at) WHERE scheduled_at IS NOT NULL;
CREATE TABLE supply_setting (
    medicine_id INTEGER PRIMARY KEY REFERENCES medicine (id),
    details     BLOB NOT NULL,          -- sealed: unit, pack size, lead days
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE supply_event (
    id          INTEGER PRIMARY KEY,
    medicine_id INTEGER NOT NULL REFERENCES medicine (id),
    kind        TEXT NOT NULL CHECK (kind IN ('received', 'counted', 'lost')),
    at          INTEGER NOT NULL,       -- when it happened, as the patient says
    recorded_at INTEGER NOT NULL,
    -- The MedicationDispense it came from, so one dispense is never added twice.
    dispense    TEXT UNIQUE,
    details     BLOB NOT NULL           -- sealed: amount, source, note
) STRICT;
CREATE INDEX supply_event_by_medicine ON supply_event (medicine_id, at);
CREATE TRIGGER supply_event_no_update BEFORE UPDATE ON supply_event
BEGIN SELECT RAISE(ABORT, 'the supply log is append-only'); END;
CREATE TRIGGER supply_event_no_delete BEFORE DELETE ON supply_event
BEGIN SELECT RAISE(ABORT, 'the supply log is append-only'); END;
CREATE TABLE prescription (
    id          INTEGER PRIMARY KEY,
    medicine_id INTEGER NOT NULL REFERENCES medicine (id),
    details     BLOB NOT NULL,          -- sealed: repeats, validity, quantities, FHIR references
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX prescription_by_medicine ON prescription (medicine_id);
CREATE TABLE pharmacy (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    details    BLOB NOT NULL,           -- sealed: FHIR base URL, name, patient reference, delivery days
    updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE refill_order (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    medicine_id     INTEGER NOT NULL REFERENCES medicine (id),
    prescription_id INTEGER NOT NULL REFERENCES prescription (id),
    client_id       TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'done')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    details         BLOB NOT NULL,      -- sealed: quantity, fulfilment, the Task as sent, its status
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX refill_order_due ON refill_order (state, next_attempt_at);
CREATE TABLE refill_answer (
    id          INTEGER PRIMARY KEY,
    medicine_id INTEGER NOT NULL REFERENCES medicine (id),
    answer      TEXT NOT NULL CHECK (answer IN ('requested', 'enough', 'snoozed')),
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX refill_answer_by_medicine ON refill_answer (medicine_id, id);
CREATE TABLE diary_entry (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,       -- when it happened, as the patient says
    recorded_at INTEGER NOT NULL,
    details     BLOB NOT NULL           -- sealed: text, severity, measurements, medicine link
) STRICT;
CREATE INDEX diary_entry_by_time ON diary_entry (at);
INSERT INTO "meta" VALUES ('database_id', X'0845ac61b402b3f9');
INSERT INTO "config_generation" VALUES (1, 0);
