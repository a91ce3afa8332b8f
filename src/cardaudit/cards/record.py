"""ModelRecord: everything a source knows about one model, before any judgment.

Sources build records; the engine reads them. A record whose card could not be read still
carries what is known (Hub facts of a gated model) plus the reason in `card_error`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cardaudit.cards.disclosure import DatasetStatus
from cardaudit.cards.document import CardDocument
from cardaudit.cards.licenses import LicenseFile

HUB_PLACEHOLDER_CREATED = "2022-03-02T23:29:04.000Z"
# what `base_model_relation` may say (the card's or the Hub's; reference §1.1)
BASE_RELATIONS = ("finetune", "adapter", "quantized", "merge")
MAX_COUNT = 2**63 - 1  # what SQLite (the audit store) can hold


def count_or_none(value: Any) -> int | None:
    """A count (downloads, likes, parameters) as reported, or None when it is not a whole
    number from 0 to MAX_COUNT: a dump row or an endpoint may say anything."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


@dataclass(frozen=True, slots=True)
class HubFacts:
    """Facts the Hub API reports about a model (reference §2.1)."""

    id: str
    sha: str | None = None
    author: str | None = None
    private: bool | None = None
    gated: Any = None
    disabled: bool | None = None
    created_at: str | None = None
    last_modified: str | None = None
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    tags: tuple[str, ...] = ()
    base_models: tuple[str, ...] = ()
    base_relation: str | None = None
    parameters: int | None = None
    library_name: str | None = None
    pipeline_tag: str | None = None
    # False when the source did not report `gated` at all (bulk dumps): the card decides.
    gated_known: bool = True

    @property
    def created_placeholder(self) -> bool:
        """Repos older than the Hub's creation dates carry one fixed placeholder date."""
        return bool(self.created_at) and str(self.created_at).startswith("2022-03-02T23:29:04")

    @property
    def license_tags(self) -> tuple[str, ...]:
        return tuple(t.removeprefix("license:") for t in self.tags if t.startswith("license:"))

    @property
    def dataset_tags(self) -> tuple[str, ...]:
        return tuple(t.removeprefix("dataset:") for t in self.tags if t.startswith("dataset:"))

    def get(self, name: str) -> Any:
        """A fact by its JSON name (`gated`, `downloads`, `license_tags`, …); None if unknown."""
        attribute = _HUB_NAMES.get(name, name)
        return getattr(self, attribute, None)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "sha": self.sha, "author": self.author, "private": self.private,
            "gated": self.gated, "disabled": self.disabled, "createdAt": self.created_at,
            "created_placeholder": self.created_placeholder,
            "lastModified": self.last_modified, "downloads": self.downloads,
            "downloadsAllTime": self.downloads_all_time, "likes": self.likes,
            "tags": list(self.tags), "license_tags": list(self.license_tags),
            "base_models": list(self.base_models), "base_relation": self.base_relation,
            "parameters": self.parameters, "library_name": self.library_name,
            "pipeline_tag": self.pipeline_tag,
        }


_HUB_NAMES = {
    "createdAt": "created_at", "lastModified": "last_modified",
    "downloadsAllTime": "downloads_all_time", "baseModels": "base_models",
    "safetensors.total": "parameters", "library": "library_name",
}


@dataclass(frozen=True, slots=True)
class CardError:
    """Why a model's card (or the whole model) could not be read: machine code + one line."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One model as a source delivered it."""

    id: str
    source: str
    location: str
    card: CardDocument | None
    revision: str | None = None
    license_file: LicenseFile | None = None
    hub: HubFacts | None = None
    hub_expected: bool = False
    card_error: CardError | None = None
    dataset_status: Mapping[str, DatasetStatus] | None = None
    readme_path: str = "README.md"
    extra: Mapping[str, Any] = field(default_factory=dict)
