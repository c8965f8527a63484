"""Pages anyone may open: home, service standard, tracking, reference lookups, survey index, complaints, verification."""
