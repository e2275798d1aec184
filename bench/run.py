"""Prints every in-process benchmark in one run: medians and ratios against baselines
measured in the same process, in turns. Usage: ``.venv/bin/python -m bench.run [--strict]``
(the PostgreSQL scale benchmark is separate: ``bench.scale``)."""

import logging
import sys

from bench.common import exit_status, print_rows, setup_django, teardown_django


def main():
    setup_django()
    logging.disable(logging.WARNING)
    rows = []
    try:
        from bench import inbox, photo_processing, web

        backend, web_rows = web.run()
        print_rows(f"Web (median of 15, in turns, Django test client, cache: {backend})",
                   web_rows)
        photo_rows = photo_processing.run()
        print_rows("Photos: clean_photo() vs the naive pipeline at equal output size "
                   "(median of 7, in turns)", photo_rows, base_label="naive ms")
        inbox_rows = inbox.run()
        print_rows("Inbox (median of 15, Django test client, SQLite, measured in turns)",
                   inbox_rows)
        rows = web_rows + photo_rows + inbox_rows
    finally:
        teardown_django()
    return exit_status(rows, "--strict" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
