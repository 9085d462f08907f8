"""`manual-bp verify --catalog` on the planted neural-network Function bugs: each fails in both
dtypes within the default examples, naming its quantity (the first order stays right)."""

from broken_nn_functions import BROKEN
from planted import assert_every_row_fails_naming_its_quantity


def test_every_planted_function_bug_fails_in_both_dtypes_naming_its_quantity(capsys):
    assert_every_row_fails_naming_its_quantity("broken_nn_functions", BROKEN, capsys)
