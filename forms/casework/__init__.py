"""Filling and submitting, submit handlers, issued documents' transitions, requirements, deadlines, audit, tracking."""
