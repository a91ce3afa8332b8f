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
    assert set(packages) == {"acme/classifier", "acme/custom-license", "acme/encoder",
                             "acme/llama-ft"}
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
