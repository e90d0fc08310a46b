-- Schema version 5: the knowledge-base bundle in use, when newer than the built-in base.
-- One row, swapped whole in one transaction; the bundle is public data (not sealed) and is
-- verified again whenever it is loaded.

CREATE TABLE knowledge_bundle (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    version      INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    etag         TEXT,              -- the server's ETag, sent back as If-None-Match
    installed_at INTEGER NOT NULL
) STRICT;
