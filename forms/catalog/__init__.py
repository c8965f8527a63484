"""Schema versions: seeding from files, the draft → published lifecycle, the runtime catalog the app runs on."""
