"""`python server.py` serves Loket: on the embedded store unless MONGODB_URI is set."""
from __future__ import annotations

import logging

from forms import create_app

app = create_app()


def main() -> None:
    """Serve with waitress (threads; one process, as the embedded store requires)."""
    from waitress import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host, port = app.config["HOST"], app.config["PORT"]
    where = app.config["MONGODB_URI"] and "MongoDB" or f"embedded store in {app.config['DATA_DIR']}"
    logging.getLogger("loket").info("Loket at http://%s:%s/ (%s)", host, port, where)
    serve(app, host=host, port=port, threads=app.config["THREADS"], ident="Loket")


if __name__ == "__main__":
    main()
