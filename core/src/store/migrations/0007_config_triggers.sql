-- Schema version 7: the configuration counter moves by itself, and each database has an id.
--
-- Planning keeps a decrypted snapshot of schedules, settings, zones, spacing rules and
-- archive dates while `config_generation` stays put. Until now every write path had to move
-- the counter itself; these triggers move it for every change to those tables, from any
-- writer in any process, so no path can forget.

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

-- Archiving and restoring change which medicines plan.
CREATE TRIGGER config_medicine_archive AFTER UPDATE OF archived_at ON medicine
BEGIN UPDATE config_generation SET value = value + 1 WHERE id = 1; END;

-- A random id for this database (8 bytes, no meaning, not secret): notification ids carry it,
-- so two databases on one phone (a parent's and a child's) never share an id.
INSERT INTO meta (key, value) VALUES ('database_id', randomblob(8));
