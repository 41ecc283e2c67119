"""The demo district: a made-up district with visits, plans and growth, for trying the app
and for tests. Kept out of the domain packages."""
