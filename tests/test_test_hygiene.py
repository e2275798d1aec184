"""The suite's own rules: every assertion can fail, and no test is skipped.

``assert a if c else b in html`` checks ``a`` (a non-empty string) whenever ``c`` holds;
``assert x is None or y`` passes whenever ``x`` is None; ``assert "30.6.2026" in body or
"2026" in body`` passes on any date of that year; ``assert language in ("fi", "sv")``
passes whichever language was chosen. A test knows which alternative holds:
assert that one, or split the cases with ``pytest.mark.parametrize``. A skipped test
checks nothing, so skips are refused too, except the browser tests' rule (skip locally
without Chromium, fail on CI).
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: Files allowed to skip, with the number of skip calls they may make.
ALLOWED_SKIPS = {"browser/conftest.py": 1}
SKIP_NAMES = {"skip", "skipif", "importorskip", "xfail", "skipTest", "skipIf", "skipUnless",
              "expectedFailure"}


def assertion_problems(test):
    """Why the expression of an ``assert`` cannot fail, or None."""
    if isinstance(test, ast.IfExp):
        return "a conditional expression (`a if c else b`): each branch is a truthy value"
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return "`or`: assert the alternative that holds, or parametrize the cases"
    if isinstance(test, ast.Constant | ast.JoinedStr | ast.Tuple | ast.List):
        return "a literal, which is always true or always false"
    if (isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.In)
            and isinstance(test.comparators[0], ast.Tuple | ast.List | ast.Set)):
        return "membership in a literal (`x in (a, b)`): assert the one value expected"
    return None


def skip_names(tree):
    """Where the module names a skip (``pytest.skip``, ``mark.skipif``, ``skipTest``…)."""
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr in SKIP_NAMES)


def problems_in(source, relative_path="test_x.py"):
    tree = ast.parse(source)
    problems = [f"{relative_path}:{node.lineno}: assert on {reason}"
                for node in ast.walk(tree) if isinstance(node, ast.Assert)
                for reason in [assertion_problems(node.test)] if reason]
    skips = skip_names(tree)
    if len(skips) > ALLOWED_SKIPS.get(relative_path, 0):
        problems += [f"{relative_path}:{line}: a skipped test checks nothing" for line in skips]
    return problems


def test_every_assertion_can_fail_and_nothing_is_skipped():
    problems = []
    for path in sorted(TESTS.rglob("*.py")):
        problems += problems_in(path.read_text(), path.relative_to(TESTS).as_posix())
    assert problems == []


def test_the_rules_catch_what_they_are_for():
    source = '''
import pytest

def test_a(html, code, x, mail, body):
    assert "Gatubelysning" if code == "sv" else "Street lighting" in html
    assert x is None or mail.outbox
    assert "30.6.2026" in body or "2026" in body
    assert "always true"
    assert x is None and mail.outbox == []
    assert code in ("fi", "sv")
    pytest.skip("not merged yet")

@pytest.mark.skipif(True, reason="")
def test_b():
    pillow_heif = pytest.importorskip("pillow_heif")
'''
    problems = problems_in(source)
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        "test_x.py:5", "test_x.py:6", "test_x.py:7", "test_x.py:8",
        "test_x.py:10", "test_x.py:11", "test_x.py:13", "test_x.py:15"]


def test_only_the_browser_conftest_may_skip_and_only_once():
    one_skip = "import pytest\n\ndef browser():\n    pytest.skip('no chromium')\n"
    assert problems_in(one_skip, "browser/conftest.py") == []
    assert problems_in(one_skip, "test_x.py") == ["test_x.py:4: a skipped test checks nothing"]
    two_skips = one_skip + "    pytest.skip('again')\n"
    assert len(problems_in(two_skips, "browser/conftest.py")) == 2
