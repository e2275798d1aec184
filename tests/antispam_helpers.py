"""The form token as the resident's browser holds it, for tests of forms shown again."""

import re
import time

from django.core import signing

from palaute_plugin.public import antispam


def token_shown_a_minute_ago():
    return signing.dumps({"n": "first", "t": int(time.time()) - 60}, salt=antispam.TOKEN_SALT)


def token_shown_again(response, shown):
    """The token of the form ``response`` shows again: a new nonce, the time ``shown``
    carried (the form was first shown then)."""
    again = re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)
    payload = signing.loads(again, salt=antispam.TOKEN_SALT)
    assert payload["n"] != signing.loads(shown, salt=antispam.TOKEN_SALT)["n"]
    assert payload["t"] == signing.loads(shown, salt=antispam.TOKEN_SALT)["t"]
    return again
