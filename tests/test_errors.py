import pytest

from seqlab.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    NotFittedError,
    Rule,
    SeqlabError,
    ShapeError,
    check,
    message,
)


@pytest.mark.parametrize("cls", [ConfigError, DataError, ShapeError, CheckpointError])
def test_tree_is_rooted_and_value_errors(cls):
    assert issubclass(cls, SeqlabError) and issubclass(cls, ValueError)


def test_not_fitted_is_an_attribute_error_like_sklearn():
    assert issubclass(NotFittedError, SeqlabError) and issubclass(NotFittedError, AttributeError)


def test_message_template():
    text = message("lookback", "Forecaster", "a positive integer", -3, "Use e.g. 60.")
    assert text == "lookback of Forecaster must be a positive integer; got -3. Use e.g. 60."


def test_check_reports_the_first_broken_rule_with_the_error_asked_for():
    rules = {
        "a": Rule("positive", lambda v: v > 0),
        "b": Rule("even", lambda v: v % 2 == 0, "Add one."),
    }
    check("Thing", rules, {"a": 1, "b": 2})
    with pytest.raises(DataError) as err:
        check("Thing", rules, {"a": 1, "b": 3}, error=DataError)
    assert str(err.value) == "b of Thing must be even; got 3. Add one."
