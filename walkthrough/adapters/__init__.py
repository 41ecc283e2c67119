"""Storage adapters: how the domain's stores are kept in each database dialect
(SQLite, PostgreSQL). The composition root (web/composition/storage.py) picks and builds them;
the domain modules import no database driver."""
