"""Reaching people and systems: message texts, notifications by mail and WhatsApp, webhooks."""
