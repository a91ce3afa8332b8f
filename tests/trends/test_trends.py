"""Trends over a stored run of a small fixture dump: golden outputs in every format, cohorts,
weights, popular top N, base origin, charts; and the dump reader's formats (JSONL, gzip,
Parquet) and worker processes giving the same run."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cardaudit.pack import load_pack
from tests.cli.scenario import ROOT, run_cli

SMALL_DUMP = ROOT / "examples/dumps/sample.jsonl"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "audits.sqlite"
    run = run_cli("audit", "--dump", str(SMALL_DUMP), "--db", str(path), "--jobs", "1")
    assert run.code == 0, run.stderr
    assert "17 model(s) audited" in run.stdout
    assert "error rows: missing-card 1, bad-row 1" in run.stdout
    return path


def trends(db: Path, *args: str) -> dict:  # type: ignore[type-arg]
    run = run_cli("trends", "--db", str(db), "-f", "json", *args)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "args"), [
    ("by-year", ["--by", "year"]),
    ("by-base-origin", ["--by", "base-origin"]),
    ("popular-weighted", ["--by", "year", "--top", "2", "--weight", "downloads"]),
    ("by-country", ["--by", "country"]),
])
def test_trend_json_matches_its_golden(db: Path, golden: object, name: str,
                                       args: list[str]) -> None:
    run = run_cli("trends", "--db", str(db), "-f", "json", *args)
    assert run.code == 0, run.stderr
    golden(f"trends.{name}.json", run.stdout)  # type: ignore[operator]


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_trend_formats_match_their_goldens(db: Path, golden: object, fmt: str) -> None:
    run = run_cli("trends", "--db", str(db), "-f", fmt, "--width", "150")
    assert run.code == 0, run.stderr
    golden(f"trends.by-year.{fmt}", run.stdout)  # type: ignore[operator]


def test_cohorts_shares_and_weights_are_computed_as_documented(db: Path) -> None:
    data = trends(db, "--by", "year")
    groups = {g["key"]: g for g in data["groups"]}
    assert list(groups) == ["≤2022", "2023", "2024", "2025"]
    early = groups["≤2022"]  # the three placeholder-dated models
    assert early["models"] == 3
    assert early["disclosure"]["disclosed_available"] == pytest.approx(2 / 3, abs=1e-4)
    weighted = early["download_weighted"]["disclosure"]["disclosed_available"]
    assert weighted == pytest.approx((120000 + 5000) / (120000 + 5000 + 300), abs=1e-4)
    assert data["weight_field"] == "downloadsAllTime"
    assert data["excluded"] == 1  # the unreadable row
    assert data["total"]["models"] == 16  # the model without README counts, disclosing nothing
    shares = data["total"]["disclosure"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert groups["2023"]["gated"] == pytest.approx(1 / 3, abs=1e-4)
    assert groups["2023"]["parameters"]["median"] == 7_000_000_000
    assert any("placeholder" in n for n in data["notes"])


def test_popular_keeps_the_top_n_per_cohort_by_downloads(db: Path) -> None:
    data = trends(db, "--by", "year", "--top", "1")
    assert [g["models"] for g in data["groups"]] == [1, 1, 1, 1]
    early = data["groups"][0]
    assert early["disclosure"]["disclosed_available"] == 1.0  # bert-lab/tiny-bert


def test_base_origin_groups_derivatives_by_root_country_and_family(db: Path) -> None:
    data = trends(db, "--by", "base-origin")
    groups = {g["key"]: g for g in data["groups"]}
    # quant/qwen-ft-GGUF → acme/qwen-ft → Qwen/Qwen-Mini: both count under Qwen
    assert groups["CN · Qwen"]["models"] == 2
    assert groups["US · Llama"]["models"] == 1
    assert groups["international_or_unknown · other"]["models"] == 1  # base not in the run
    assert sum(g["share"] for g in data["groups"]) == pytest.approx(1.0, abs=1e-3)
    by_country = {g["key"]: g["models"] for g in trends(db, "--by", "base-country")["groups"]}
    assert by_country == {"CN": 3, "US": 1, "FR": 1, "international_or_unknown": 1}


def test_each_cohort_reports_the_root_country_of_its_derivatives(db: Path) -> None:
    """Reference §4.3's "share of new fine-tunes built on Chinese bases", per period."""
    groups = {g["key"]: g["base_origin"] for g in trends(db, "--by", "year")["groups"]}
    assert groups["≤2022"] == {"derivatives": 0, "root_countries": {}}
    assert groups["2023"] == {"derivatives": 1, "root_countries": {"US": 1.0}}
    # quant/qwen-ft-GGUF's root is Qwen/Qwen-Mini through acme/qwen-ft
    assert groups["2024"] == {"derivatives": 2, "root_countries": {"CN": 1.0}}
    assert groups["2025"]["derivatives"] == 3
    assert groups["2025"]["root_countries"] == pytest.approx(
        {"CN": 1 / 3, "FR": 1 / 3, "international_or_unknown": 1 / 3}, abs=1e-4)
    finetunes = {g["key"]: g["base_origin"]
                 for g in trends(db, "--by", "year", "--relation", "finetune")["groups"]}
    # the GGUF quantization is not a fine-tune: 2024 keeps acme/qwen-ft alone
    assert finetunes["2024"] == {"derivatives": 1, "root_countries": {"CN": 1.0}}
    assert finetunes["2023"] == {"derivatives": 1, "root_countries": {"US": 1.0}}


def test_each_group_reports_its_derivatives_root_bases_own_disclosure(db: Path) -> None:
    """Reference §4.2: a derivative's own level and its root base's, side by side. Roots read
    in the run count; a root outside it (someone/private-base) is not known."""
    groups = {g["key"]: g["root_disclosure"] for g in trends(db, "--by", "year")["groups"]}
    nothing = {"known": 0, "disclosed_available": None, "disclosed_partial": None,
               "not_disclosed": None}
    assert groups["≤2022"] == nothing
    # acme/chat-ft's root meta-llama/Llama-Mini says nothing of its data
    assert groups["2023"] == {"known": 1, "disclosed_available": 0.0, "disclosed_partial": 0.0,
                              "not_disclosed": 1.0}
    # acme/qwen-ft and its GGUF: Qwen/Qwen-Mini describes its data, names none
    assert groups["2024"] == {"known": 2, "disclosed_available": 0.0, "disclosed_partial": 1.0,
                              "not_disclosed": 0.0}
    # DS-Small says nothing, Mist-Small describes; the private base is not in the run
    assert groups["2025"] == {"known": 2, "disclosed_available": 0.0, "disclosed_partial": 0.5,
                              "not_disclosed": 0.5}


def test_each_group_gives_its_license_mix(db: Path) -> None:
    """The license mix by period (Apache-2.0/MIT against community licenses) is a headline
    trend; license categories alone hide which licenses they are."""
    data = trends(db, "--by", "year")
    assert data["total"]["licenses"] == {"apache-2.0": 0.375, "mit": 0.3125, "llama2": 0.125,
                                         "cc-by-nc-4.0": 0.0625, "gemma": 0.0625,
                                         "unknown": 0.0625}
    groups = {g["key"]: g["licenses"] for g in data["groups"]}
    assert groups["2023"] == {"llama2": 0.6667, "apache-2.0": 0.3333}
    weighted = trends(db, "--by", "year", "--weight", "downloads")["groups"][0]["licenses"]
    # bert-lab/tiny-bert (apache-2.0) carries most of the ≤2022 downloads
    assert weighted["apache-2.0"] == pytest.approx(120000 / (120000 + 5000 + 300), abs=1e-4)


def test_a_long_license_tail_is_summed_as_other() -> None:
    from cardaudit.store.records import StoredModel
    from cardaudit.trends.metrics import OTHER_LICENSES, TOP_LICENSES, measure

    models = [StoredModel(f"o/m{i}", "local", "x", "ok", license=f"lic-{i:02d}",
                          disclosure="not_disclosed") for i in range(TOP_LICENSES + 3)]
    models += [StoredModel("o/a", "local", "x", "ok", license="lic-07",
                           disclosure="not_disclosed")]
    licenses = measure(models, lambda m: 1.0).licenses
    assert next(iter(licenses)) == "lic-07" and len(licenses) == TOP_LICENSES + 1
    assert licenses[OTHER_LICENSES] == pytest.approx(3 / 14)
    assert sum(licenses.values()) == pytest.approx(1.0)


def test_a_root_read_by_the_lineage_is_stored_for_trends(tmp_path: Path) -> None:
    """A root outside the run (in --lineage-dir) was read by the audit's lineage: its level is
    stored with the derivative, so `trends` knows it without the root's row."""
    bases, models = tmp_path / "bases", tmp_path / "models"
    (bases / "org__base").mkdir(parents=True)
    (bases / "org__base/README.md").write_text(
        "---\nlicense: mit\ndatasets:\n- wikitext\n---\n# Base\n")
    (models / "acme__quant-GGUF").mkdir(parents=True)
    (models / "acme__quant-GGUF/README.md").write_text(
        "---\nlicense: mit\nbase_model: org/base\n---\n# Quant\n")
    db = tmp_path / "audits.sqlite"
    run = run_cli("audit", str(models), "--lineage-dir", str(bases), "--db", str(db))
    assert run.code == 0, run.stderr
    total = trends(db, "--by", "org")["total"]
    assert total["disclosure"]["not_disclosed"] == 1.0  # the quantization's own card
    assert total["root_disclosure"] == {"known": 1, "disclosed_available": 1.0,
                                        "disclosed_partial": 0.0, "not_disclosed": 0.0}
    table = run_cli("trends", "--db", str(db), "--by", "org", "--width", "200").stdout
    assert "100.0% of 1" in table


def test_a_repackagers_upload_as_root_takes_its_family_makers_country(tmp_path: Path) -> None:
    """Fine-tunes often name a re-packager's upload as their base (unsloth/Qwen2.5-7B): the
    re-packager is not the base's maker, so the root counts under the family's maker, and
    stays unmapped when no family is known. A maker's own org keeps its country."""
    row = json.loads(SMALL_DUMP.read_text().splitlines()[0])
    bases = {"acme/qwen-ft": "unsloth/Qwen2.5-7B", "acme/llama-ft": "unsloth/llama-3-8b-bnb-4bit",
             "acme/gemma-ft": "mlx-community/gemma-2-9b-it-4bit",
             "acme/odd-ft": "unsloth/some-model", "acme/own-ft": "mistralai/Mistral-7B-v0.1"}
    rows = [{**row, "modelId": model, "createdAt": "2025-05-01T00:00:00.000Z",
             "card": f"---\nlicense: apache-2.0\nbase_model: {base}\n---\n# {model}\n"}
            for model, base in bases.items()]
    dump = tmp_path / "ft.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "s.sqlite"
    assert run_cli("audit", "--dump", str(dump), "--db", str(db), "--jobs", "1").code == 0
    groups = {g["key"]: g["models"] for g in trends(db, "--by", "base-origin")["groups"]}
    assert groups == {"CN · Qwen": 1, "US · Llama": 1, "US · Gemma": 1, "FR · Mistral": 1,
                      "international_or_unknown · other": 1}
    origins = load_pack().knowledge.origins
    assert origins.root_country("unsloth/Meta-Llama-3.1-8B") == "US"
    assert origins.root_country("Qwen/Qwen2.5-7B") == "CN"
    assert origins.root_country("someone/llama-ft") == "international_or_unknown"


@pytest.mark.parametrize(("root", "family", "country"), [
    ("unsloth/SmolLM2-1.7B-Instruct", "SmolLM", "US"),
    ("LiquidAI/LFM2.5-1.2B-Base", "LFM", "US"),
    ("nvidia/Minitron-4B-Base", "Nemotron", "US"),
    ("nvidia/Llama-3.1-Nemotron-70B-Instruct", "Llama", "US"),  # built on Llama
    ("upstage/SOLAR-10.7B-v1.0", "SOLAR", "KR"),
    ("bartowski/c4ai-command-r-v01-GGUF", "Command", "CA"),
    ("ai21labs/AI21-Jamba-1.5-Mini", "Jamba", "IL"),
    ("unsloth/Hunyuan-A13B-Instruct", "Hunyuan", "CN"),
    ("baidu/ERNIE-4.5-21B-A3B-PT", "ERNIE", "CN"),
    ("someone/solar-panel-detector", None, "international_or_unknown"),
])
def test_families_of_common_root_bases(root: str, family: str | None, country: str) -> None:
    origins = load_pack().knowledge.origins
    assert (origins.family(root), origins.root_country(root)) == (family, country)


def test_intermediary_share_counts_quantizations_and_known_repackagers(db: Path) -> None:
    groups = {g["key"]: g for g in trends(db, "--by", "year")["groups"]}
    assert groups["2024"]["intermediaries"] == pytest.approx(1 / 5, abs=1e-4)  # the GGUF repo
    assert groups["2023"]["intermediaries"] == 0.0
    origins = load_pack().knowledge.origins
    assert origins.is_intermediary("TheBloke") and origins.is_intermediary("mlx-community")
    assert not origins.is_intermediary("Qwen") and not origins.is_intermediary(None)


def test_cohort_modified_and_the_fallback_note(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in SMALL_DUMP.read_text().splitlines()[:16]]
    for row in rows:
        row.pop("createdAt")
        row["lastModified"] = "2021-06-01T00:00:00.000Z"
    dump = tmp_path / "no-created.jsonl.gz"
    with gzip.open(dump, "wt") as out:
        out.writelines(json.dumps(r) + "\n" for r in rows)
    db = tmp_path / "s.sqlite"
    run = run_cli("audit", "--dump", str(dump), "--db", str(db), "--jobs", "1")
    assert "no row has createdAt" in run.stdout
    data = trends(db, "--by", "year")
    assert [g["key"] for g in data["groups"]] == ["2021"]
    assert any("no usable createdAt" in n for n in data["notes"])
    assert trends(db, "--by", "year", "--cohort", "modified")["groups"][0]["models"] == 16


def test_dates_that_are_not_dates_fall_in_no_year(tmp_path: Path) -> None:
    """A dump from another tool may hold any text as a date: only a real calendar date gives a
    cohort; the others are counted, fall back to lastModified when that is a date, else are
    unknown — never a year "yest" or "0000"."""
    row = json.loads(SMALL_DUMP.read_text().splitlines()[0])
    created = ["yesterday", "0000-01-01T00:00:00Z", "2022-02-30T00:00:00Z", "२०२२-०१-०१",
               "2021-13-01", "2023-05-04T10:00:00.000Z", "2021-06-01", ""]
    rows = [{**row, "modelId": f"acme/m{i}", "createdAt": value, "lastModified": None}
            for i, value in enumerate(created)]
    rows.append({**row, "modelId": "acme/late", "createdAt": "soon",
                 "lastModified": "2020-01-02T00:00:00.000Z"})
    dump = tmp_path / "dates.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "s.sqlite"
    assert run_cli("audit", "--dump", str(dump), "--db", str(db), "--jobs", "1").code == 0
    data = trends(db, "--by", "year")
    assert {g["key"]: g["models"] for g in data["groups"]} == {
        "2020": 1, "2021": 1, "2023": 1, "unknown": 6}
    assert "6 model(s) have a createdAt or lastModified that is not a calendar date: ignored" \
        in data["notes"]
    assert "6 model(s) have no usable date: cohort unknown" in data["notes"]
    assert "1 model(s) have no usable createdAt: their cohort is the year of lastModified" \
        in data["notes"]
    months = trends(db, "--by", "month")
    assert [g["key"] for g in months["groups"]] == ["2020-01", "2021-06", "2023-05", "unknown"]


def test_parquet_gzip_and_worker_processes_give_the_same_run(db: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in SMALL_DUMP.read_text().splitlines()[:16]]
    parquet = tmp_path / "small.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    gz = tmp_path / "small.jsonl.gz"
    with SMALL_DUMP.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    reference = trends(db, "--by", "year")
    for source, jobs in ((parquet, "1"), (gz, "2")):
        other = tmp_path / f"{source.suffix}-{jobs}.sqlite"
        run = run_cli("audit", "--dump", str(source), "--db", str(other), "--jobs", jobs)
        assert run.code == 0, run.stderr
        got = trends(other, "--by", "year")
        assert got["groups"] == reference["groups"], source.name


def test_dump_streams_json_and_csv_reports(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = run_cli("audit", "--dump", str(SMALL_DUMP), "--no-store", "-f", "json", "-o", str(out),
                  "--jobs", "2")
    assert run.code == 0, run.stderr
    data = json.loads(out.read_text())
    assert len(data["models"]) == 17 and data["summary"]["errors"] == 2
    csv_run = run_cli("audit", "--dump", str(SMALL_DUMP), "--no-store", "-f", "csv")
    lines = csv_run.stdout.splitlines()
    assert lines[0].startswith("id,status,license") and len(lines) == 18


def test_dump_usage_errors_are_one_line(tmp_path: Path) -> None:
    missing = run_cli("audit", "--dump", str(tmp_path / "nope.jsonl"))
    assert missing.code == 2 and "dump file not found" in missing.stderr
    mixed = run_cli("audit", "examples/models", "--dump", str(SMALL_DUMP))
    assert mixed.code == 2 and "--dump audits the dump alone" in mixed.stderr
    fmt = run_cli("audit", "--dump", str(SMALL_DUMP), "-f", "sarif")
    assert fmt.code == 2 and "unknown format 'sarif' (choose from: table, json, csv)" \
        in fmt.stderr
    summary = tmp_path / "summary.md"  # no Markdown for a dump: the summary table
    as_md = run_cli("audit", "--dump", str(SMALL_DUMP), "--no-store", "-o", str(summary))
    assert as_md.code == 0 and "model(s) audited" in summary.read_text()
    bad = run_cli("trends", "--by", "planet", "--db", str(tmp_path / "x.sqlite"))
    assert bad.code == 2 and "unknown --by 'planet'" in bad.stderr


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_charts_are_written_and_reproducible(db: Path, tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    for path in (first, second):
        run = run_cli("trends", "--db", str(db), "--chart", str(path), "-f", "json")
        assert run.code == 0, run.stderr
    data = first.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data and b"<script" not in data
    if suffix != ".png":
        assert data == second.read_bytes()


def test_chart_refuses_unknown_types(db: Path, tmp_path: Path) -> None:
    run = run_cli("trends", "--db", str(db), "--chart", str(tmp_path / "chart.pdf"))
    assert run.code == 2 and "--chart writes" in run.stderr


def test_trend_json_validates_against_its_schema() -> None:
    import jsonschema

    schema = json.loads((ROOT / "src/cardaudit/trends/schema/trends-v1.json").read_text())
    goldens = sorted((ROOT / "tests/golden").glob("trends.*.json"))
    assert len(goldens) >= 4
    for path in goldens:
        jsonschema.validate(json.loads(path.read_text()), schema)
