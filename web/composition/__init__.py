"""The composition root: settings read once, storage per dialect, the services built from
them, and the long-lived processes (projector, mail) that run beside the web workers."""
