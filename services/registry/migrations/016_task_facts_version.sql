-- The version of what the ingest keeps in memory of each task besides its
-- state (task_facts.c): its plan's unit and number, its title, its lead
-- units. Every statement that may change one of them moves it on, so a
-- batch checks its copy by reading one row. Numbers come from a sequence,
-- never reused (as registry.directory_version, migration 014).
CREATE SEQUENCE registry.task_facts_version_seq;
CREATE TABLE registry.task_facts_version (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO registry.task_facts_version VALUES (1, 0);

CREATE FUNCTION registry.task_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry.task_facts_version SET version = nextval('registry.task_facts_version_seq')
        WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER task_unit_facts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON registry.task_unit FOR EACH STATEMENT EXECUTE FUNCTION registry.task_facts_changed();
CREATE TRIGGER task_facts_changed AFTER UPDATE OF title, plan_id
    ON registry.task FOR EACH STATEMENT EXECUTE FUNCTION registry.task_facts_changed();
CREATE TRIGGER plan_facts_changed AFTER UPDATE OF number, unit_code
    ON registry.plan FOR EACH STATEMENT EXECUTE FUNCTION registry.task_facts_changed();
