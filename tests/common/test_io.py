"""The writers: an output is complete or absent, and outputs that belong together are all there or none."""

import pytest

from oneclick.common.errors import DataError
from oneclick.common.io import atomic_paths, read_json, write_csv, write_json


def test_a_set_of_outputs_is_written_whole_or_not_at_all(tmp_path):
    import pandas as pd

    paths = [tmp_path / "a.csv", tmp_path / "b.json", tmp_path / "c.json"]
    with pytest.raises(TypeError, match="not JSON serializable"):  # the third cannot be written
        with atomic_paths(*paths) as (a, b, c):
            write_csv(a, pd.DataFrame({"x": [1]}))
            write_json(b, {"y": 2})
            write_json(c, {"z": object()})
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing in place, no temporary left
    with atomic_paths(*paths) as (a, b, c):
        write_csv(a, pd.DataFrame({"x": [1]}))
        write_json(b, {"y": 2})
        write_json(c, {"z": 3})
    assert read_json(paths[2]) == {"z": 3} and sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.json",
                                                                                             "c.json"]


def test_a_folder_where_an_output_goes_is_one_error_before_anything_is_written(tmp_path):
    (tmp_path / "b.json").mkdir()
    with pytest.raises(DataError, match=r"b\.json: a folder where an output file goes; nothing written"):
        with atomic_paths(tmp_path / "a.csv", tmp_path / "b.json"):
            raise AssertionError("not reached")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]
