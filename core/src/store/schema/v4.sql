-- The schema of a Regimen database at version 4, frozen when that version shipped: the
-- migration test builds old databases from these files, never from today's migrations.
-- Never edit; a new version adds a new file.
PRAGMA application_id = 1380404558;
PRAGMA user_version = 4;
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
INSERT INTO "config_generation" VALUES (1, 0);
