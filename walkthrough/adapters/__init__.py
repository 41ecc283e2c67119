"""Storage adapters: how the domain's stores are kept in each database dialect
(SQLite, PostgreSQL). The composition root (web/storage.py) picks and builds them;
the domain modules import no database driver."""
