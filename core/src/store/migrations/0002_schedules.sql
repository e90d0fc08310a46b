-- Schema version 2: schedules with versions, the phone's time zones, patient settings,
-- spacing rules between medicines, and corrections in the dose log.

-- Each edit of a medicine's schedule adds a version; the one in force at an instant is the
-- latest whose valid_from is not after it, so past doses keep the schedule they had.
CREATE TABLE schedule_version (
    id          INTEGER PRIMARY KEY,
    medicine_id INTEGER NOT NULL REFERENCES medicine (id),
    valid_from  INTEGER NOT NULL,   -- instant from which this version applies
    details     BLOB,               -- sealed Schedule JSON; NULL means "no schedule from here on"
    created_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX schedule_version_by_medicine ON schedule_version (medicine_id, valid_from);

-- Where the phone was: the zone from each instant on (sealed: travel is personal).
CREATE TABLE device_zone (
    id      INTEGER PRIMARY KEY,
    since   INTEGER NOT NULL UNIQUE,
    details BLOB NOT NULL            -- sealed IANA zone name
) STRICT;

-- The patient's settings: anchors, thresholds, reminder preferences. One row.
CREATE TABLE settings (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    details BLOB NOT NULL            -- sealed Settings JSON
) STRICT;

-- Keep two medicines at least min_gap_minutes apart (levothyroxine and calcium): the planner
-- moves the second one's doses later and says why.
CREATE TABLE spacing_rule (
    id                  INTEGER PRIMARY KEY,
    first_medicine_id   INTEGER NOT NULL REFERENCES medicine (id),
    second_medicine_id  INTEGER NOT NULL REFERENCES medicine (id),
    min_gap_minutes     INTEGER NOT NULL CHECK (min_gap_minutes BETWEEN 1 AND 1440),
    created_at          INTEGER NOT NULL,
    CHECK (first_medicine_id <> second_medicine_id),
    UNIQUE (first_medicine_id, second_medicine_id)
) STRICT;

-- A correction is a new event naming the one it corrects; the newest event for a dose wins.
ALTER TABLE dose_event ADD COLUMN corrects INTEGER REFERENCES dose_event (id);
CREATE INDEX dose_event_by_dose ON dose_event (medicine_id, scheduled_at);
