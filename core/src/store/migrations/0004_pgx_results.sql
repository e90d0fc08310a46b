-- Schema version 4: the patient's pharmacogenomic results. Everything about a result is
-- sealed (gene, diplotype, source, test date, lab); a newer result for a gene supersedes the
-- older one, which stays for history.

CREATE TABLE pgx_result (
    id          INTEGER PRIMARY KEY,
    details     BLOB NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;
