"""``field__any=ids``: the rows whose column is one of many values, sent as one array.

``field__in=ids`` writes one placeholder a value; at a few hundred ids (every agent of the
agency, every seat) turning those placeholders into SQL costs more than the query itself, and
the statement, different in length at each count, is never found in psycopg's cache of parsed
queries. On PostgreSQL ``field__any`` writes ``field = ANY(%s)`` with the values as one array
parameter instead; elsewhere (SQLite) it is ``field__in``. The same rows either way; an empty
list matches none.
"""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def install() -> None:
    """Register ``__any`` on every field, foreign keys included."""
    Field.register_lookup(Any)
    ForeignObject.register_lookup(Any)
