-- The unit directory's version, for the copies services keep in memory
-- (directory_cache.c). Every statement that changes units or their aliases
-- moves it on, so a copy is checked by reading one row; before, every
-- request and every ingest batch counted the unit table (thousands of rows
-- in a city).
-- Numbers come from a sequence, never reused: a copy loaded inside a
-- transaction that changed units and then rolled back carries a number no
-- committed version will have.
CREATE SEQUENCE registry.directory_version_seq;
CREATE TABLE registry.directory_version (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO registry.directory_version VALUES (1, 0);

CREATE FUNCTION registry.directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry.directory_version SET version = nextval('registry.directory_version_seq')
        WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER unit_directory_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON registry.unit FOR EACH STATEMENT EXECUTE FUNCTION registry.directory_changed();
CREATE TRIGGER unit_alias_directory_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON registry.unit_alias FOR EACH STATEMENT EXECUTE FUNCTION registry.directory_changed();
