"""Route modules, one per concept; web.endpoints gathers their endpoint tables.

A route module imports no other route module: what two of them share lives in web.http."""
