"""The admin area: schema versions, tables, settings, officer accounts, the admin log, webhooks."""
