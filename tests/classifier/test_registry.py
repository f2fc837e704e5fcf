"""Registry: version check on load and the promotion rule."""

import json
import shutil

import pytest

from classifier import IncompatibleModelError, current_model_dir, load_model, promote_if_not_worse


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_incompatible_scikit_learn_is_refused(good_model, tmp_path):
    old = _copy(good_model, tmp_path / "old")
    meta = json.loads((old / "meta.json").read_text(encoding="utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (old / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IncompatibleModelError, match=r"scikit-learn 0\.24\.2"):
        load_model(old)


def test_no_current_model_promotes(good_model, tmp_path, eval_rows):
    assert current_model_dir(tmp_path) is None
    result = promote_if_not_worse(tmp_path, good_model, eval_rows)
    assert result.promoted and result.current_macro_f1 is None
    assert current_model_dir(tmp_path) == tmp_path / "versions" / result.version
    assert load_model(current_model_dir(tmp_path)).version == result.version


def test_better_candidate_is_promoted(good_model, bad_model, tmp_path, eval_rows):
    assert promote_if_not_worse(tmp_path, bad_model, eval_rows).promoted
    result = promote_if_not_worse(tmp_path, good_model, eval_rows)
    assert result.promoted and result.candidate_macro_f1 > result.current_macro_f1
    assert current_model_dir(tmp_path).name == load_model(good_model).version


def test_worse_candidate_is_not_promoted(good_model, bad_model, tmp_path, eval_rows):
    first = promote_if_not_worse(tmp_path, good_model, eval_rows)
    result = promote_if_not_worse(tmp_path, bad_model, eval_rows)
    assert not result.promoted and result.candidate_macro_f1 < result.current_macro_f1
    assert current_model_dir(tmp_path).name == first.version
    assert not (tmp_path / "versions" / result.version).exists()


def test_equal_candidate_is_promoted(good_model, tmp_path, eval_rows):
    promote_if_not_worse(tmp_path, good_model, eval_rows)
    twin = _copy(good_model, tmp_path / "twin")
    meta = json.loads((twin / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = "twin"
    (twin / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    result = promote_if_not_worse(tmp_path, twin, eval_rows)
    assert result.promoted and result.candidate_macro_f1 == result.current_macro_f1
    assert current_model_dir(tmp_path).name == "twin"


def test_unloadable_current_counts_as_absent(good_model, bad_model, tmp_path, eval_rows):
    first = promote_if_not_worse(tmp_path, good_model, eval_rows)
    meta_file = tmp_path / "versions" / first.version / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    assert promote_if_not_worse(tmp_path, bad_model, eval_rows).promoted


def test_resolve_model_dir_accepts_a_model_or_a_registry_root(good_model, tmp_path, eval_rows):
    from classifier import resolve_model_dir

    assert resolve_model_dir(good_model) == good_model
    assert resolve_model_dir(tmp_path) is None
    result = promote_if_not_worse(tmp_path, good_model, eval_rows)
    assert resolve_model_dir(tmp_path) == tmp_path / "versions" / result.version
