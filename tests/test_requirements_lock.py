"""The production lock file covers every runtime requirement (README: "the lock file")."""

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def names(path, pattern):
    lines = (line.split("#")[0].strip() for line in (ROOT / path).read_text().splitlines())
    return {canonicalize_name(match) for line in lines if (match := pattern(line))}


def test_every_requirement_is_locked_with_a_hash():
    required = names("requirements.txt",
                     lambda line: line and not line.startswith("-") and Requirement(line).name)
    locked = names("requirements.lock",
                   lambda line: (m := re.match(r"^([A-Za-z0-9_.\-]+)==", line)) and m.group(1))
    assert required - locked == set()
    lock = (ROOT / "requirements.lock").read_text()
    pinned = re.findall(r"^[A-Za-z0-9_.\-]+==\S+ \\\n(?:    --hash=sha256:\w+ ?\\?\n?)+", lock,
                        re.M)
    assert len(pinned) == len(locked)  # each pin has its hashes
