//! Unit tests of the export and its reader.
