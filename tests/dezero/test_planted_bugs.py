"""`manual-bp verify --catalog` on the planted Function bugs: every row fails, in both dtypes,
within the default examples, naming its quantity; the second-order ones are right to first order."""

from broken_functions import BROKEN
from planted import assert_every_row_fails_naming_its_quantity

FIRST_ORDER_RIGHT = ("CachedTanh", "OwnOutputGetItemGrad", "DataSin")


def test_every_planted_function_bug_fails_in_both_dtypes_naming_its_quantity(capsys):
    for r in assert_every_row_fails_naming_its_quantity("broken_functions", BROKEN, capsys):
        if r["layer"].endswith(tuple(f"[{label}]" for label in FIRST_ORDER_RIGHT)):
            assert f"{r['layer']}: dx " not in r["failure"] and f"{r['layer']}: forward" not in r["failure"]
