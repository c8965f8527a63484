"""The front-office counter: filing for walk-in applicants, their receipts, today's queue."""
