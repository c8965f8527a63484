"""The office's public service: the satisfaction survey and index, charts, complaints, public information."""
