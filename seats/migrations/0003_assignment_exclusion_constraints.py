"""On PostgreSQL, forbid overlapping assignments in the database itself.

Date ranges are inclusive ([start, end]) and open-ended when end is NULL. SQLite has no exclusion
constraints; there the service's own check (seats.services.assignment_create) is the guard.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE seats_seatassignment ADD CONSTRAINT assignment_seat_shift_no_overlap
    EXCLUDE USING gist (
        seat_id WITH =, shift WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    )
    """,
    """
    ALTER TABLE seats_seatassignment ADD CONSTRAINT assignment_agent_no_overlap
    EXCLUDE USING gist (
        agent_id WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    )
    """,
]
DROP = [
    "ALTER TABLE seats_seatassignment DROP CONSTRAINT IF EXISTS assignment_agent_no_overlap",
    "ALTER TABLE seats_seatassignment DROP CONSTRAINT IF EXISTS assignment_seat_shift_no_overlap",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("seats", "0002_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
