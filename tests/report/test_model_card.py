"""The model card's own arithmetic: DVC's directory hash (its CV interval: test_paired.py)."""


from oneclick.data.source import dvc_dir_hash


def test_dvc_dir_hash_changes_with_content_and_names(tmp_path):
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("y\n")
    first = dvc_dir_hash(tmp_path)
    assert first.endswith(".dir") and dvc_dir_hash(tmp_path) == first
    (tmp_path / "sub" / "b.csv").write_text("z\n")
    assert dvc_dir_hash(tmp_path) != first
