"""Walkthrough: an event-sourced recorder for nonevaluative peer observation visits."""
