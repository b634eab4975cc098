"""On PostgreSQL, refuse UPDATE and DELETE on the audit trail. A superuser can still get round
a trigger (session_replication_role, ALTER TABLE ... DISABLE TRIGGER); `vigil audit verify` then
finds what was changed.

No TRUNCATE trigger: the test runner empties every table with TRUNCATE between transactional
tests; an emptied trail is caught instead by `vigil audit verify --head HASH`. SQLite has no
trigger either (the test runner deletes rows there); its file is protected by the file system."""

from django.db import migrations

# No "%" in the SQL: the schema editor passes it through the driver's parameter formatting.
CREATE = [
    """
    CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'audit entries are append-only: ' || TG_OP || ' refused on ' || TG_TABLE_NAME,
            ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
        FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
    """,
]

DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
