-- Schema version 8: supply, prescriptions and refills. What a patient has on hand is an
-- append-only log per medicine (received, counted, lost); what it is counted in, the pack size
-- and the lead time are a medicine's supply settings; prescriptions hold what the pharmacy
-- needs for a refill; refill orders wait in an outbox until the pharmacy has them. Amounts,
-- notes, prescription details and the pharmacy's address are sealed; only what ordering and
-- picking due work needs is plain.

-- The day engine reads the dose log by scheduled time (a plan, a day): without this index
-- every plan scanned the whole log.
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

-- Refill requests, sent as FHIR Tasks. `client_id` is the Task's identifier: a retry after a
-- lost answer is a conditional create with it, so the pharmacy never gets two orders.
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

-- The patient's answer to a refill alert: the newest per medicine counts.
CREATE TABLE refill_answer (
    id          INTEGER PRIMARY KEY,
    medicine_id INTEGER NOT NULL REFERENCES medicine (id),
    answer      TEXT NOT NULL CHECK (answer IN ('requested', 'enough', 'snoozed')),
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX refill_answer_by_medicine ON refill_answer (medicine_id, id);
