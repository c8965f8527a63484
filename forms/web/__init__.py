"""HTTP plumbing: security headers, body and rate limits, templating, languages, JSON API, OpenAPI, error pages."""
