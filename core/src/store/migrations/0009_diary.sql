-- Schema version 9: the symptom and side-effect diary. One row per entry; what the patient
-- wrote, how bad it was, what they measured and the medicine they link it to are one sealed
-- value. Only the instants are plain, so entries are read by time in order.
--
-- Planning does not read the diary, so no configuration trigger moves with it. An entry may be
-- deleted (the patient's own words, theirs to take back); AUTOINCREMENT keeps a deleted
-- entry's id from being given to a new one, so a caregiver told of its removal never hides
-- a later entry.

CREATE TABLE diary_entry (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,       -- when it happened, as the patient says
    recorded_at INTEGER NOT NULL,
    details     BLOB NOT NULL           -- sealed: text, severity, measurements, medicine link
) STRICT;
CREATE INDEX diary_entry_by_time ON diary_entry (at);
