"""The HTTP edge: Starlette app, auth, schemas, error mapping, the PWA shell and the CLI."""
