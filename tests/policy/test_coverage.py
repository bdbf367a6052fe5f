"""Every rule in psp/policy.py has a direct test here: a test_<rule> function in a module of
this folder. A new rule without one fails this test."""

import importlib
import pkgutil
from pathlib import Path

from psp import policy

ALSO = {"visible_views", "view_organisations", "holdings"}  # what the rules stand on


def covered_rules():
    names = set()
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("test_"):
            found = importlib.import_module(f"{__package__}.{module.name}")
            names |= {name.removeprefix("test_") for name in vars(found) if name.startswith("test_")}
    return names


def test_every_rule_has_a_direct_test():
    names = covered_rules()
    missing = sorted((set(policy.RULES) | ALSO) - names)
    assert not missing, f"rules in psp/policy.py with no direct test in tests/policy: {missing}"
    stale = sorted(n for n in names - set(policy.RULES) if n.startswith(("can_", "is_")))
    assert not stale, f"tests in tests/policy for rules psp/policy.py no longer has: {stale}"
