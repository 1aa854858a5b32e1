"""bench/make_corpus.py: a deterministic synthetic corpus whose truth the project's own pipeline meets exactly."""

from __future__ import annotations

import collections
import importlib.util
import json
import pathlib
from types import ModuleType
from typing import Any

import pytest

from bench import make_corpus as mc
from tests.conftest import GOLD

SEED = 11
N = 400
BAD_RATE = 0.0125  # one bad file in 80: each of the five kinds once in 400 files


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_extraction", GOLD.parent / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("corpus")
    return out, mc.make_corpus(N, out, SEED, BAD_RATE)


def _good(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: e for name, e in manifest["files"].items() if e["kind"] == "ok"}


def test_layout_keeps_truth_out_of_the_reports(corpus):
    out, manifest = corpus
    reports = sorted(p.name for p in (out / "reports").iterdir())
    assert reports == sorted(manifest["files"]) and len(reports) == N
    truths = sorted(p.stem for p in (out / "truth").iterdir())
    assert truths == sorted(name.rsplit(".", 1)[0] for name in _good(manifest))
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_same_seed_gives_the_same_bytes_and_truth_even_in_slices(corpus, tmp_path):
    out, manifest = corpus
    again = mc.make_corpus(40, tmp_path, SEED, BAD_RATE)
    assert again["files"] == {k: manifest["files"][k] for k in list(manifest["files"])[:40]}
    for name in again["files"]:
        assert (tmp_path / "reports" / name).read_bytes() == (out / "reports" / name).read_bytes()
    for p in (tmp_path / "truth").iterdir():
        assert p.read_bytes() == (out / "truth" / p.name).read_bytes()
    f = mc.make_file(SEED, 123, BAD_RATE)  # one file alone: the same as in the corpus
    assert f.data == (out / "reports" / f.name).read_bytes()


def test_another_seed_gives_another_corpus(corpus):
    _, manifest = corpus
    for index in range(5):
        a, b = mc.make_file(SEED, index, BAD_RATE), mc.make_file(SEED + 1, index, BAD_RATE)
        assert a.name != b.name and a.data != b.data


def test_about_one_percent_bad_files_of_every_kind(corpus):
    _, manifest = corpus
    kinds = collections.Counter(e["kind"] for e in manifest["files"].values())
    assert {k: kinds[k] for k in mc.BAD_KINDS} == dict.fromkeys(mc.BAD_KINDS, 1)
    default = [mc.bad_kind(SEED, i, 0.01) for i in range(N)]
    assert sum(k is not None for k in default) == N // 100


def test_good_files_are_sized_like_real_reports(corpus):
    _, manifest = corpus
    sizes = [e["bytes"] for e in _good(manifest).values()]
    assert all(mc.MIN_BYTES <= s <= mc.MAX_BYTES for s in sizes), (min(sizes), max(sizes))


def test_variety_of_encodings_layouts_scripts_and_sources(corpus):
    _, manifest = corpus
    good = _good(manifest).values()
    assert {e["encoding"] for e in good} == {"utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"}
    assert {e["layout"] for e in good} == {"free_form", "standard_table"}
    assert {e["script"] for e in good} == {"simplified", "traditional"}
    assert {e["format"] for e in good} == {"page_txt", "index_txt", "html", "doc_site", "pdf_txt"}
    assert {e["report_year"] for e in good} == set(mc.YEARS)


def test_truth_has_the_gold_format(corpus):
    from transforms.extract import catalog

    out, manifest = corpus
    gold_keys = set(json.loads(next(GOLD.glob("*.json")).read_text(encoding="utf-8"))) - {"notes"}
    codes = set(catalog())
    for p in (out / "truth").iterdir():
        truth = json.loads(p.read_text(encoding="utf-8"))
        assert set(truth) == gold_keys and truth["source"] in manifest["files"]
        for m in truth["metrics"] + truth["optional"]:
            assert set(m) == {"code", "breakdown", "value", "qualifier"}
            assert set(m["code"] if isinstance(m["code"], list) else [m["code"]]) <= codes
            assert m["qualifier"] in ("exact", "at_least", "approx", "stated_none")


def test_narrative_padding_states_no_figure():
    """The padding that sizes the reports must hold nothing a reader (or the extractor) would count."""
    from transforms.extract import extract_report
    from transforms.normalize import normalize_text

    composed = [f"{a}，{b}，{c}。" for a in mc._LEADS for b in mc._ACTIONS for c in mc._RESULTS]
    sentences = [*mc._GENERAL, *mc._PROBLEMS, *mc._IMPROVEMENTS, *(s for _, _, s in mc._ERA), *composed]
    text, _ = normalize_text("泰安市民政局2012年政府信息公开工作年度报告\n\n" + "\n\n".join(sentences))
    assert extract_report(text)["metrics"] == []


def _sample(manifest: dict[str, Any], k: int) -> list[str]:
    """k good files, first one of each (format, encoding, script, layout) seen, then the next in order."""
    seen, chosen = set(), []
    good = _good(manifest)
    for name, e in good.items():
        key = (e["format"], e["encoding"], e["script"], e["layout"])
        if key not in seen:
            seen.add(key)
            chosen.append(name)
    chosen += [name for name in good if name not in chosen]
    return chosen[:k]


def test_pipeline_meets_the_truth_exactly_and_rejects_every_bad_file(corpus, scorer):
    from transforms.decode import decode_files
    from transforms.extract import extract_records
    from transforms.normalize import normalize_batch

    out, manifest = corpus
    bad = [name for name, e in manifest["files"].items() if e["kind"] != "ok"]
    names = _sample(manifest, 60) + bad
    records = extract_records(normalize_batch(decode_files([str(out / "reports" / n) for n in names])))
    tp = owed = emitted = meta_ok = meta_n = 0
    for name, record in zip(names, records, strict=True):
        if name in bad:
            assert record["status"] == "rejected" and record["error"], (name, manifest["files"][name])
            continue
        assert record["status"] == "ok", (name, record["error"])
        truth = json.loads((out / "truth" / (name.rsplit(".", 1)[0] + ".json")).read_text(encoding="utf-8"))
        t, o, e, q, mo, mn, missed, extra = scorer.score(record, truth)
        assert (missed, extra, q) == ([], [], t), name
        tp, owed, emitted, meta_ok, meta_n = tp + t, owed + o, emitted + e, meta_ok + mo, meta_n + mn
    assert tp == owed == emitted and meta_ok == meta_n  # F1 = 1.000 and metadata = 1.000
