-- Schema version 3: a counter that every change to schedules, settings, zones, spacing rules
-- or the medicine list moves forward, so each connection (and each process sharing the file)
-- knows when its decrypted copy of them is stale.

CREATE TABLE config_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;

INSERT INTO config_generation (id, value) VALUES (1, 0);

-- Archived medicines are read with every planning snapshot; few ever are.
CREATE INDEX medicine_archived ON medicine (archived_at) WHERE archived_at IS NOT NULL;
