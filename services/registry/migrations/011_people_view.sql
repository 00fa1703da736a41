-- Documented view for other services (notify): people as they are now, with
-- the unit they work in and whether they head it.
CREATE VIEW registry.people AS
SELECT id, name, unit_code, role, is_head FROM registry.person;
