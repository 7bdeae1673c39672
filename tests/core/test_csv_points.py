"""Points from a CSV file: with or without a header, rescaled into the view, bad rows named by line."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab_panel.files import csv_points
from ganlab_panel.files.csv_points import load_csv_points


def test_a_file_with_a_header_is_rescaled_into_the_view_keeping_its_shape(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n0,0\n10,5\n-10,-5\n")
    points = load_csv_points(path)
    np.testing.assert_allclose(points, [[0.5, 0.5], [0.95, 0.725], [0.05, 0.275]])


def test_no_header_extra_columns_blank_lines_and_a_byte_order_mark():
    points = load_csv_points(b"\xef\xbb\xbf1.5, 2, label\n\n3,4,other\n")
    assert points.shape == (2, 2)
    np.testing.assert_allclose(points[1] - points[0], [1.5 * 0.45, 2 * 0.45])  # aspect kept: span 2 -> 0.9


def test_one_point_sits_in_the_middle():
    np.testing.assert_allclose(load_csv_points("7,7\n"), [[0.5, 0.5]])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,2\n3,oops\n5\n6,nan\n", r"3 bad row\(s\).*line 3: '3', 'oops'.*line 4: expected 2 columns.*line 5"),
        ("", "no points"),
        ("x,y\n", "no points"),
        ("1;2\n", "line 1: expected 2 columns"),
    ],
)
def test_bad_files_name_their_lines_and_load_nothing(text, message):
    with pytest.raises(ValueError, match=message):
        load_csv_points(text)


def test_only_the_first_bad_rows_are_listed():
    text = "x,y\n" + "a,b\n" * 9
    with pytest.raises(ValueError, match=r"9 bad row\(s\).*line 6: .*\(and 4 more\)$"):
        load_csv_points(text)


def test_size_limits_and_encoding(monkeypatch):
    monkeypatch.setattr(csv_points, "MAX_BYTES", 100)
    with pytest.raises(ValueError, match="at most 100 are read"):
        load_csv_points(b"1,2\n" * 30)
    monkeypatch.setattr(csv_points, "MAX_BYTES", 10_000)
    monkeypatch.setattr(csv_points, "MAX_ROWS", 5)
    with pytest.raises(ValueError, match="more than 5 points"):
        load_csv_points("1,2\n" * 6)
    with pytest.raises(ValueError, match="not UTF-8"):
        load_csv_points(b"\xff\xfe1,2\n")
