"""Who is who: accounts, sessions, passwords, second factor, one-time codes, CAPTCHAs, API tokens."""
