"""AI bills of materials, each validated with the library that defines its format."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_python_model import v3_0_1 as S
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from cardaudit.bom.content import BomError, checked_expression
from tests.cli.scenario import ROOT, run_cli
from tests.fakehub.server import FakeHub


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "tests/fixtures/registry", tmp_path / "models")
    shutil.copytree(ROOT / "examples/models/acme__custom-license",
                    tmp_path / "models" / "acme__custom-license")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _bom(fmt: str, registry: Path) -> Path:
    out = registry / f"bom.{fmt}.json"
    run = run_cli("bom", "models", "-f", fmt, "-o", str(out))
    assert run.code == 0, run.stderr
    return out


def test_spdx2_document_validates_with_spdx_tools(registry: Path) -> None:
    path = _bom("spdx2", registry)
    renamed = path.with_name("bom.spdx.json")
    path.rename(renamed)
    document = parse_file(str(renamed))
    assert validate_full_spdx_document(document) == []
    names = {p.name: p for p in document.packages}
    assert str(names["acme/llama-ft"].license_declared) == "LicenseRef-llama3.1"
    assert [e.license_id for e in document.extracted_licensing_info] == ["LicenseRef-llama3.1"]
    assert "imdb" in names


def test_spdx3_round_trips_with_no_unresolved_references(registry: Path) -> None:
    path = _bom("spdx3", registry)
    objects = S.SHACLObjectSet()
    with path.open("rb") as stream:
        S.JSONLDDeserializer().read(stream, objects)
    assert objects.link() == set()
    packages = {o.name: o for o in objects.foreach_type(S.ai_AIPackage)}
    document = next(iter(objects.foreach_type(S.SpdxDocument)))
    assert {r.name for r in document.rootElement} == {
        "acme/classifier", "acme/custom-license", "acme/encoder", "acme/llama-ft"}
    assert set(packages) - {r.name for r in document.rootElement} == {"meta-llama/Llama-3.1-8B"}
    assert "disclosed available" in packages["acme/encoder"].ai_informationAboutTraining
    licenses = {r.from_.name: r.to[0].simplelicensing_licenseExpression
                for r in objects.foreach_type(S.Relationship)
                if r.relationshipType == S.RelationshipType.hasDeclaredLicense}
    assert licenses["acme/llama-ft"] == "LicenseRef-llama3.1"
    assert licenses["acme/custom-license"] == "MIT"
    trained = [r for r in objects.foreach_type(S.Relationship)
               if r.relationshipType == S.RelationshipType.trainedOn]
    assert {r.from_.name for r in trained} == {"acme/classifier", "acme/encoder"}
    assert all(isinstance(t, S.dataset_DatasetPackage) for r in trained for t in r.to)


def test_cyclonedx_validates_and_model_cards_reference_datasets(registry: Path) -> None:
    text = _bom("cyclonedx", registry).read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    components = {c["name"]: c for c in document["components"]}
    model = components["acme/encoder"]
    assert model["type"] == "machine-learning-model"
    assert model["licenses"] == [{"expression": "Apache-2.0"}]
    refs = [d["ref"] for d in model["modelCard"]["modelParameters"]["datasets"]]
    assert refs == [components["imdb"]["bom-ref"]]
    assert model["modelCard"]["modelParameters"]["task"] == "text-classification"


@pytest.mark.parametrize(("expression", "ok"), [
    ("Apache-2.0", True), ("MIT OR Apache-2.0", True), ("LicenseRef-llama3.1", True),
    ("GPL-2.0-or-later AND LicenseRef-x", True), ("NOASSERTION", True),
    ("MIT AND", False), ("llama3.1", False), ("(MIT", False), ("LicenseRef-bad name", False),
])
def test_every_expression_is_checked_before_writing(expression: str, ok: bool) -> None:
    if ok:
        assert checked_expression(expression)
    else:
        with pytest.raises(BomError):
            checked_expression(expression)


def test_bom_json_is_deterministic(registry: Path) -> None:
    first = _bom("cyclonedx", registry).read_text()
    again = _bom("cyclonedx", registry).read_text()
    assert json.loads(first)["components"] == json.loads(again)["components"]
    assert io.StringIO(first).read() != ""


def _card(folder: Path, front: str, body: str = "") -> None:
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(f"---\n{front}---\n\n# {folder.name}\n\n{body}")


@pytest.fixture
def derivative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An Apache-2.0 fine-tune of a non-commercial base trained on a named dataset, whose own
    base is nowhere to be found."""
    _card(tmp_path / "models/acme__ft", "license: apache-2.0\nbase_model: basecorp/base-7b\n",
          "A chat model fine-tuned from basecorp/base-7b.\n")
    _card(tmp_path / "bases/basecorp__base-7b",
          "license: cc-by-nc-4.0\nbase_model: rootlab/root-model\ndatasets:\n- wikitext\n",
          "## Training data\n\nTrained on the wikitext dataset.\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _lineage_bom(fmt: str, *targets: str) -> Path:
    out = Path(f"bom.{fmt}.json")
    run = run_cli("bom", *targets, "--lineage-dir", "bases", "-f", fmt, "-o", str(out))
    assert run.code == 0, run.stderr
    return out


def test_spdx3_lists_each_base_with_its_license_and_the_inherited_data(derivative: Path) -> None:
    objects = S.SHACLObjectSet()
    with _lineage_bom("spdx3", "models").open("rb") as stream:
        S.JSONLDDeserializer().read(stream, objects)
    assert objects.link() == set()
    packages = {o.name: o for o in objects.foreach_type(S.ai_AIPackage)}
    assert set(packages) == {"acme/ft", "basecorp/base-7b", "rootlab/root-model"}
    document = next(iter(objects.foreach_type(S.SpdxDocument)))
    assert [r.name for r in document.rootElement] == ["acme/ft"]
    licenses = {r.from_.name: r.to[0].simplelicensing_licenseExpression
                for r in objects.foreach_type(S.Relationship)
                if r.relationshipType == S.RelationshipType.hasDeclaredLicense}
    assert licenses == {"acme/ft": "Apache-2.0", "basecorp/base-7b": "CC-BY-NC-4.0",
                        "rootlab/root-model": "NOASSERTION"}
    descends = {r.from_.name: [t.name for t in r.to] for r in objects.foreach_type(S.Relationship)
                if r.relationshipType == S.RelationshipType.descendantOf}
    assert descends == {"acme/ft": ["basecorp/base-7b"],
                        "basecorp/base-7b": ["rootlab/root-model"]}
    assert packages["acme/ft"].ai_informationAboutTraining == (
        "Training data not disclosed in the card; base models disclose: "
        "basecorp/base-7b: disclosed_available (wikitext)")
    assert "wikitext" in packages["basecorp/base-7b"].ai_informationAboutTraining
    assert "unknown" in packages["rootlab/root-model"].ai_informationAboutTraining


def test_spdx2_bases_are_packages_the_model_descends_from(derivative: Path) -> None:
    path = _lineage_bom("spdx2", "models")
    renamed = path.with_name("bom.spdx.json")
    path.rename(renamed)
    document = parse_file(str(renamed))
    assert validate_full_spdx_document(document) == []
    ids = {p.spdx_id: p for p in document.packages}
    names = {p.name: p for p in document.packages}
    assert str(names["basecorp/base-7b"].license_declared) == "CC-BY-NC-4.0"
    descends = sorted((ids[r.spdx_element_id].name, ids[r.related_spdx_element_id].name)
                      for r in document.relationships
                      if r.relationship_type.name == "DESCENDANT_OF")
    assert descends == [("acme/ft", "basecorp/base-7b"),
                        ("basecorp/base-7b", "rootlab/root-model")]
    described = [r.related_spdx_element_id for r in document.relationships
                 if r.relationship_type.name == "DESCRIBES"]
    assert [ids[d].name for d in described] == ["acme/ft"]


def test_cyclonedx_pedigree_names_every_ancestor_with_its_license(derivative: Path) -> None:
    text = _lineage_bom("cyclonedx", "models").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    (model,) = json.loads(text)["components"]
    ancestors = model["pedigree"]["ancestors"]
    assert [(a["name"], a.get("licenses")) for a in ancestors] == [
        ("basecorp/base-7b", [{"expression": "CC-BY-NC-4.0"}]), ("rootlab/root-model", None)]
    lookups = [{p["name"]: p["value"] for p in a["properties"]}["cardaudit:lookup"]
               for a in ancestors]
    assert lookups[0] == "ok" and lookups[1] != "ok"
    assert "wikitext" in model["description"]


@pytest.mark.parametrize("fmt", ["spdx3", "spdx2"])
def test_a_base_audited_in_the_same_run_is_one_package(derivative: Path, fmt: str) -> None:
    text = _lineage_bom(fmt, "models", "bases").read_text()
    assert text.count('"basecorp/base-7b"') == 1
    assert ("descendantOf" if fmt == "spdx3" else "DESCENDANT_OF") in text


def test_a_base_named_by_no_hub_id_is_listed_without_a_supplier(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    _card(tmp_path / "models/acme__ft",
          'license: mit\nbase_model: "Our Base (v2) / <script>x</script>"\n')
    monkeypatch.chdir(tmp_path)
    text = _bom("cyclonedx", tmp_path).read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    (ancestor,) = json.loads(text)["components"][0]["pedigree"]["ancestors"]
    assert ancestor["name"] == "Our Base (v2) / <script>x</script>"
    assert "supplier" not in ancestor
    path = _bom("spdx2", tmp_path)
    renamed = path.with_name("bom.spdx.json")
    path.rename(renamed)
    document = parse_file(str(renamed))
    assert validate_full_spdx_document(document) == []
    base = next(p for p in document.packages if p.name.startswith("Our Base"))
    assert base.supplier is None


MODEL_INDEX = """license: mit
model-index:
- name: acme/clf
  results:
  - task: {type: text-classification}
    dataset: {name: IMDB, type: imdb, split: test}
    metrics:
    - {type: accuracy, value: 0.93, name: Accuracy}
    - {type: f1, value: {nested: 1}}
    - not a metric
  - dataset: {name: Our held-out set, type: "our held-out set"}
    metrics:
    - {type: accuracy, value: "0.88\\u001b[2J"}
  - just text
"""


def test_reported_results_go_into_every_bom_format(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The card's model-index results are what CycloneDX calls performance metrics and SPDX 3
    `metric` (datasets they were measured on: `testedOn`); whatever else model-index holds is
    skipped, and no control character comes through."""
    _card(tmp_path / "models/acme__clf", MODEL_INDEX)
    monkeypatch.chdir(tmp_path)
    text = _bom("cyclonedx", tmp_path).read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    card = json.loads(text)["components"][0]["modelCard"]
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [
        {"type": "Accuracy", "value": "0.93", "slice": "IMDB"},
        {"type": "accuracy", "value": "0.88[2J", "slice": "Our held-out set"}]
    objects = S.SHACLObjectSet()
    with _bom("spdx3", tmp_path).open("rb") as stream:
        S.JSONLDDeserializer().read(stream, objects)
    assert objects.link() == set()
    (package,) = objects.foreach_type(S.ai_AIPackage)
    assert {e.key: e.value for e in package.ai_metric} == {
        "Accuracy (IMDB)": "0.93", "accuracy (Our held-out set)": "0.88[2J"}
    tested = [r for r in objects.foreach_type(S.Relationship)
              if r.relationshipType == S.RelationshipType.testedOn]
    assert [[t.name for t in r.to] for r in tested] == [["imdb"]]
    path = _bom("spdx2", tmp_path)
    renamed = path.with_name("bom.spdx.json")
    path.rename(renamed)
    document = parse_file(str(renamed))
    assert validate_full_spdx_document(document) == []
    assert document.packages[0].description == (
        "Reported results: Accuracy 0.93 on IMDB; accuracy 0.88[2J on Our held-out set")


def test_a_base_read_from_a_hub_is_located_there_in_every_format(
        derivative: Path, fakehub: FakeHub) -> None:
    # where a base came from is supply-chain provenance: the public Hub or a registry
    fakehub.add_model("basecorp/base-7b", "---\nlicense: cc-by-nc-4.0\nbase_model: "
                      "rootlab/root-model\n---\n# base\n", tags=["license:cc-by-nc-4.0"])
    where = f"{fakehub.url}/basecorp/base-7b"
    texts = {}
    for fmt in ("spdx3", "spdx2", "cyclonedx"):
        out = derivative / f"hub.{fmt}.json"
        run = run_cli("bom", "models", "--lineage-endpoint", fakehub.url, "--cache-dir",
                      str(derivative / "cache"), "-f", fmt, "-o", str(out),
                      env={"CARDAUDIT_BACKOFF": "0"})
        assert run.code == 0, run.stderr
        texts[fmt] = out.read_text()
    objects = S.SHACLObjectSet()
    S.JSONLDDeserializer().read(io.BytesIO(texts["spdx3"].encode()), objects)
    packages = {o.name: o for o in objects.foreach_type(S.ai_AIPackage)}
    assert packages["basecorp/base-7b"].software_downloadLocation == where
    # spdx-tools' URL pattern refuses a host without a dot (this loopback Hub, a registry at
    # http://10.0.0.5:8080): rather than an invalid document, the location is NOASSERTION and
    # the package's source information names the URL
    spdx2 = {p["name"]: p for p in json.loads(texts["spdx2"])["packages"]}
    assert spdx2["basecorp/base-7b"]["downloadLocation"] == "NOASSERTION"
    assert spdx2["basecorp/base-7b"]["sourceInfo"] == f"read from {where}"
    assert spdx2["rootlab/root-model"]["downloadLocation"] == "NOASSERTION"  # not found
    assert "sourceInfo" not in spdx2["rootlab/root-model"]
    (model,) = json.loads(texts["cyclonedx"])["components"]
    base = model["pedigree"]["ancestors"][0]
    assert {p["name"]: p["value"] for p in base["properties"]}[
        "cardaudit:downloadLocation"] == where


def test_a_bom_of_models_on_a_registry_locates_them_and_their_datasets_there(
        tmp_path: Path, fakehub: FakeHub) -> None:
    # a registry at localhost or an IP address made the whole document invalid (exit 2)
    fakehub.add_dataset("acme/set")
    fakehub.add_model("acme/m", "---\nlicense: mit\ndatasets:\n- acme/set\n---\n# m\n")
    out = tmp_path / "bom.spdx.json"
    run = run_cli("bom", "acme/m", "--endpoint", fakehub.url, "--cache-dir",
                  str(tmp_path / "cache"), "-f", "spdx2", "-o", str(out),
                  env={"CARDAUDIT_BACKOFF": "0"})
    assert run.code == 0, run.stderr
    document = parse_file(str(out))
    assert validate_full_spdx_document(document) == []
    packages = {p.name: p for p in document.packages}
    assert packages["acme/m"].source_info == f"read from {fakehub.url}/acme/m"
    # its datasets are the registry's, checked there
    assert packages["acme/set"].source_info == f"read from {fakehub.url}/datasets/acme/set"
    spdx3 = tmp_path / "bom.spdx3.json"
    assert run_cli("bom", "acme/m", "--endpoint", fakehub.url, "--cache-dir",
                   str(tmp_path / "cache"), "-f", "spdx3", "-o", str(spdx3)).code == 0
    objects = S.SHACLObjectSet()
    with spdx3.open("rb") as stream:
        S.JSONLDDeserializer().read(stream, objects)
    (dataset,) = objects.foreach_type(S.dataset_DatasetPackage)
    assert dataset.software_downloadLocation == f"{fakehub.url}/datasets/acme/set"
