"""The shared numerical checks: right verdicts and messages a student can act on."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import (
    expect_close,
    expect_equal,
    expect_int_kind,
    expect_raises_value_error,
    expect_shape,
    rel_error,
)


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def test_always_equal_objects_are_not_numbers():
    with pytest.raises(AssertionError, match="expected numbers, got AlwaysEqual"):
        expect_equal(AlwaysEqual(), [1, 2, 3], "step(z)")
    with pytest.raises(AssertionError, match="could not be turned into an array"):
        expect_close(AlwaysEqual(), [1.0], "w")


def test_close_reports_where_and_how_much():
    with pytest.raises(AssertionError) as info:
        expect_close([[1.0, 2.0], [3.0, 4.5]], [[1.0, 2.0], [3.0, 4.0]], "hs", hint="h_prev?")
    message = str(info.value)
    assert "hs: expected" in message and "largest difference 0.5 at index (1, 1)" in message
    assert message.endswith("h_prev?")


def test_shape_and_kind():
    with pytest.raises(AssertionError, match=r"wrong shape: expected \(2, 3\), got \(3, 2\)"):
        expect_shape(np.zeros((3, 2)), (2, 3), "W")
    with pytest.raises(AssertionError, match="should hold integers"):
        expect_int_kind(np.array([True, False]), "step(z)")
    expect_int_kind(np.array([1, 0]), "step(z)")


def test_nan_is_named():
    with pytest.raises(AssertionError, match="NaN or inf"):
        expect_close([np.nan], [1.0], "loss")


def test_value_error_must_name_the_argument():
    def good(p):
        raise ValueError(f"Invalid value for argument `prefix`: got {p}")

    def vague(p):
        raise ValueError("bad")

    def silent(p):
        return p

    expect_raises_value_error(good, 33, argument="prefix")
    with pytest.raises(AssertionError, match="does not name `prefix`"):
        expect_raises_value_error(vague, 33, argument="prefix")
    with pytest.raises(AssertionError, match="but returned"):
        expect_raises_value_error(silent, 33, argument="prefix")


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_rel_error_is_zero_on_itself_and_symmetric(values):
    x = np.array(values)
    assert rel_error(x, x) == 0.0
    y = x + 1.0
    assert rel_error(x, y) == rel_error(y, x) <= 1.0


def test_wants_integer_labels_reads_the_compiled_loss():
    import keras

    from autograder.checks import wants_integer_labels

    def compiled(loss):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss=loss)
        return model

    assert wants_integer_labels(compiled("sparse_categorical_crossentropy"))
    assert wants_integer_labels(compiled(keras.losses.SparseCategoricalCrossentropy()))
    assert not wants_integer_labels(compiled("categorical_crossentropy"))
    assert not wants_integer_labels(compiled(keras.losses.CategoricalCrossentropy()))
