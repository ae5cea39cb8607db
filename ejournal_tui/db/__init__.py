"""The data layer: connections, migrations and one module of queries per area. No Textual here."""
