"""License resolution order, the knowledge base, and failing closed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.cards.document import CardDocument
from cardaudit.cards.licensebase import Category, LicenseBase, load_license_base
from cardaudit.cards.licenses import LicenseFile, resolve_license
from cardaudit.errors import RuleError
from cardaudit.pack import RulePack

Card = Callable[[str | bytes], CardDocument]

# Every license id the Hub accepts (reference §3.1).
HUB_IDS = [
    "apache-2.0", "mit", "openrail", "bigscience-openrail-m", "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "afl-3.0", "artistic-2.0", "bsl-1.0",
    "bsd", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "c-uda", "cc", "cc0-1.0",
    "cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0",
    "cc-by-nc-2.0", "cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0", "cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0", "cdla-permissive-1.0", "cdla-permissive-2.0", "wtfpl", "ecl-2.0",
    "epl-1.0", "epl-2.0", "etalab-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gfdl", "gpl",
    "gpl-2.0", "gpl-3.0", "lgpl", "lgpl-2.1", "lgpl-3.0", "isc", "h-research",
    "intel-research", "lppl-1.3c", "ms-pl", "apple-ascl", "apple-amlr", "mpl-2.0", "odc-by",
    "odbl", "openmdw-1.0", "openmdw-1.1", "openrail++", "osl-3.0", "postgresql", "ofl-1.1",
    "ncsa", "unlicense", "zlib", "pddl", "lgpl-lr", "deepfloyd-if-license",
    "fair-noncommercial-research-license", "llama2", "llama3", "llama3.1", "llama3.2",
    "llama3.3", "llama4", "grok2-community", "gemma", "unknown", "other",
]


@pytest.fixture(scope="module")
def kb(pack: RulePack) -> LicenseBase:
    return pack.knowledge.licenses


@pytest.mark.parametrize("hub_id", HUB_IDS)
def test_every_hub_license_id_is_known(kb: LicenseBase, hub_id: str) -> None:
    terms = kb.lookup(hub_id)
    assert terms is not None and not terms.from_scancode


@pytest.mark.parametrize(("declared", "key", "category", "commercial"), [
    ("apache-2.0", "apache-2.0", Category.PERMISSIVE, True),
    ("Apache-2.0", "apache-2.0", Category.PERMISSIVE, True),
    ("llama3.1", "llama3.1", Category.COMMUNITY, True),
    ("cc-by-nc-4.0", "cc-by-nc-4.0", Category.NON_COMMERCIAL, False),
    ("openrail++", "openrail++", Category.RESPONSIBLE_AI, True),
    ("MIT OR Apache-2.0", "mit OR apache-2.0", Category.PERMISSIVE, True),
    ("GPL-3.0-only AND cc-by-nc-4.0", "gpl-3.0 AND cc-by-nc-4.0", Category.NON_COMMERCIAL, False),
    # WITH a license exception: the exception only grants; WITH anything else: both hold (it
    # was a choice, so "with Commons Clause" read as permissive)
    ("GPL-2.0-only WITH Classpath-exception-2.0", "gpl-2.0", Category.STRONG_COPYLEFT, True),
    # spellings seen in `license` (the Salesforce CodeT5 cards: BSD-3)
    ("BSD-3", "bsd-3-clause", Category.PERMISSIVE, True),
    ("LGPLv3", "lgpl-3.0", Category.WEAK_COPYLEFT, True),
    ("Apache License 2.0 with Commons Clause", "apache-2.0 AND Commons Clause",
     Category.UNKNOWN, None),
    ("my-own-license", "my-own-license", Category.UNKNOWN, None),
])
def test_declared_license_resolves(card: Card, kb: LicenseBase, declared: str, key: str,
                                   category: Category, commercial: bool | None) -> None:
    result = resolve_license(card(f"---\nlicense: {declared}\n---\n"), None, kb)
    assert (result.key, result.category, result.commercial_use) == (key, category, commercial)
    assert result.source == "metadata" and result.evidence.line == 2


def test_license_list_is_a_choice_between_licenses(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("---\nlicense: [cc-by-nc-4.0, mit]\n---\n"), None, kb)
    assert result.category is Category.PERMISSIVE and result.key == "cc-by-nc-4.0 OR mit"


def test_unknown_license_fails_closed_and_is_reported(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("---\nlicense: free-for-all\n---\n"), None, kb)
    assert result.category is Category.UNKNOWN and result.ids_valid is False
    assert "not a known license id" in result.problems[0]


@pytest.mark.parametrize(("declared", "key", "category"), [
    ("GPL v3", "gpl-3.0", Category.STRONG_COPYLEFT),
    ("Academic Free License v3.0", "afl-3.0", Category.PERMISSIVE),
    ("Attribution-NonCommercial 4.0 International", "cc-by-nc-4.0", Category.NON_COMMERCIAL),
    ("Creative Commons Attribution-NonCommercial 4.0 International", "cc-by-nc-4.0",
     Category.NON_COMMERCIAL),
    ("Creative Commons Attribution 4.0", "cc-by-4.0", Category.PERMISSIVE),
    ("GNU General Public License v3.0", "gpl-3.0", Category.STRONG_COPYLEFT),
    ("GNU Lesser General Public License v3", "lgpl-3.0", Category.WEAK_COPYLEFT),
])
def test_a_license_declared_by_its_name_is_read_and_still_not_an_id(
        card: Card, kb: LicenseBase, declared: str, key: str, category: Category) -> None:
    """It was `unknown`, so a report could not say that "GPL v3" is a strong copyleft, nor
    list its duties; it is still not an id, and CA-LIC-004 says so."""
    result = resolve_license(card(f"---\nlicense: {declared}\n---\n"), None, kb)
    assert (result.key, result.category, result.source) == (key, category, "metadata")
    assert result.ids_valid is False and f"read by its name as {key}" in result.problems[0]


def test_a_name_with_more_than_a_license_title_in_it_stays_unknown(card: Card,
                                                                  kb: LicenseBase) -> None:
    for declared in ("GPL v3 except for commercial use", "MIT License plus our usage terms"):
        result = resolve_license(card(f"---\nlicense: {declared}\n---\n"), None, kb)
        assert result.category is Category.UNKNOWN, declared


def test_other_uses_license_name_then_link_then_file_then_body(card: Card,
                                                               kb: LicenseBase) -> None:
    named = resolve_license(card("---\nlicense: other\nlicense_name: qwen-research\n---\n"),
                            None, kb)
    assert (named.key, named.source, named.category) == ("qwen-research", "license_name",
                                                         Category.NON_COMMERCIAL)
    linked = resolve_license(card("---\nlicense: other\nlicense_link: "
                                  "https://llama.meta.com/llama3/license\n---\n"), None, kb)
    assert (linked.key, linked.source) == ("llama3", "license_link")
    filed = resolve_license(card("---\nlicense: other\n---\n"),
                            LicenseFile("LICENSE", "\n  Apache License\n  Version 2.0, "
                                        "January 2004\n"), kb)
    assert (filed.key, filed.source, filed.evidence.line) == ("apache-2.0", "license_file", 2)
    body = resolve_license(card("---\nlicense: other\n---\n## License\n\nThis model is "
                                "released under the Gemma Terms of Use.\n"), None, kb)
    assert (body.key, body.source, body.evidence.line) == ("gemma", "body", 6)


@pytest.mark.parametrize(("link", "key"), [
    ("https://huggingface.co/meta-llama/Meta-Llama-3-8B/blob/main/LICENSE", "llama3"),
    ("https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE", "llama3.1"),
    ("https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/LICENSE.txt", "llama2"),
    ("https://huggingface.co/google/gemma-2-9b/blob/main/LICENSE", "gemma"),
])
def test_a_link_to_a_known_family_s_license_file_on_the_hub_names_it(
        card: Card, kb: LicenseBase, link: str, key: str) -> None:
    """`license: other` with only `license_link` to Meta's or Google's LICENSE file on the Hub
    (LABELS.md: "llama3.1" for a Llama 3.1 Community License link) was unknown."""
    result = resolve_license(card(f"---\nlicense: other\nlicense_link: {link}\n---\n"), None, kb)
    assert (result.key, result.source) == (key, "license_link")


def test_unknown_license_name_stays_unknown(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("---\nlicense: other\nlicense_name: acme-special\n---\n"),
                             None, kb)
    assert result.category is Category.UNKNOWN and result.key == "acme-special"


def test_body_statement_when_no_metadata(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("# Model\n\n**License:** Apache License 2.0\n"), None, kb)
    assert (result.key, result.source) == ("apache-2.0", "body")


def test_code_only_license_statement_is_not_the_model_license(card: Card,
                                                              kb: LicenseBase) -> None:
    text = ("# Model\n\nThe code in this repository is released under the Apache-2.0 license.\n"
            "Use of the model weights must follow the Llama 2 Community License.\n")
    assert resolve_license(card(text), None, kb).key == "llama2"


@pytest.mark.parametrize("statement", [
    "This code repository and the model weights are licensed under the "
    "[MIT License](https://github.com/acme/chat/blob/main/LICENSE).",
    "Both the code and the model weights are released under the MIT License.",
    "The Chat code (and models) are released under the MIT License.",
])
def test_one_license_for_code_and_weights_is_the_model_license(card: Card, kb: LicenseBase,
                                                              statement: str) -> None:
    """It was read as about the code alone, and a later line about a base model's license
    (the DeepSeek-R1 wording) became the model's license."""
    text = ("# Chat\n\n## License\n" + statement + "\n\n- Chat-Distill is derived from "
            "[Base-2](https://github.com/acme/base), which is originally licensed under "
            "[Apache 2.0 License](https://huggingface.co/acme/base/blob/main/LICENSE).\n")
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.source, result.evidence.line) == ("mit", "body", 4)


def test_the_license_a_source_was_originally_under_is_not_the_models(card: Card,
                                                                     kb: LicenseBase) -> None:
    for tail in ("[Apache 2.0 License](https://huggingface.co/acme/base/blob/main/LICENSE)",
                 "the Apache License 2.0"):
        text = ("# Chat\n\n## License\n- Chat-Distill is derived from Base-2, which is "
                f"originally licensed under {tail}, and fine-tuned on our data.\n")
        assert resolve_license(card(text), None, kb).key == "unknown"
    joint = ("# Kimi\n\n## License\nBoth the code and the model weights are released under "
             "the [Modified MIT License](LICENSE).\n")
    assert resolve_license(card(joint), None, kb).key == "modified-mit"  # not MIT


@pytest.mark.parametrize(("statement", "key"), [
    # a negation: the model does not have that license (it was read as having it)
    ("This model is not licensed under Apache 2.0; contact us for a license.", "unknown"),
    ("It is no longer released under the MIT License.", "unknown"),
    # the weights' clause, with a version number in the license name (the clause split at
    # "4." and lost the license)
    ("The model weights are released under CC BY-NC 4.0; the code is MIT.", "cc-by-nc-4.0"),
    ("The code is released under MIT, while the weights are under the Llama 3 Community "
     "License.", "llama3"),
    # the Qwen license named without "agreement" (it was unknown)
    ("The model is released under the Qwen license, see https://huggingface.co/Qwen/"
     "Qwen2.5-72B-Instruct/blob/main/LICENSE", "qwen"),
    ("This model is released under the Qwen Research License.", "qwen-research"),
    # the repository holds the models: they are the subject, not its code
    ("All the models in this repository are under the MIT License.", "mit"),
    ("All the models included in this repository are licensed under [Creative Commons "
     "Attribution-ShareAlike 3.0](https://creativecommons.org/licenses/by-sa/3.0/).",
     "cc-by-sa-3.0"),
    ("The code in this repository is under the MIT License.", "unknown"),
])
def test_what_a_license_sentence_says_of_the_model(card: Card, kb: LicenseBase, statement: str,
                                                   key: str) -> None:
    result = resolve_license(card(f"# M\n\n## License\n\n{statement}\n"), None, kb)
    assert result.key == key


@pytest.mark.parametrize(("text", "key", "commercial"), [
    # a use restriction where the license would be, and no license named: non-commercial
    ("# M\n\n## License\n\nThe weights are for research use only; commercial use is "
     "prohibited.\n", "noncommercial-statement", False),
    ("# M\n\n## License\n\n`acme-lib` is an open-source library for non-commercial use and "
     "scientific research purposes only.\n", "noncommercial-statement", False),
    # a license named anywhere among the license lines comes first
    ("# M\n\n## License\n\nFor research use only.\n\nReleased under CC BY-NC 4.0.\n",
     "cc-by-nc-4.0", False),
    ("# M\n\n## License\n\nFor research use only.\n\nThe model is licensed under the MIT "
     "License.\n", "mit", True),
    # an intended use is not a license statement
    ("# M\n\n## Uses\n\nThe model is intended for research purposes only.\n", "unknown", None),
    # a restriction on a dataset is the dataset's, not the model's
    ("# M\n\n## Training data\n\nMS MARCO is licensed for non-commercial research purposes "
     "only.\n", "unknown", None),
    ("# M\n\n## License\n\nThe training data is for research use only.\n", "unknown", None),
    ("# M\n\n## License\n\nThe model and its data are for research use only.\n",
     "noncommercial-statement", False),
    # nor is research named beside commercial use
    ("# M\n\n## License\n\nFree for research and commercial use under our terms.\n",
     "unknown", None),
])
def test_research_only_where_no_license_is_named(card: Card, kb: LicenseBase, text: str,
                                                 key: str, commercial: bool | None) -> None:
    """"For research purposes only" in a License section said nothing (unknown) though it
    rules out commercial use; it counts only where no line there names a license."""
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.commercial_use) == (key, commercial)
    if key == "noncommercial-statement":
        assert result.category is Category.NON_COMMERCIAL and result.source == "body"


@pytest.mark.parametrize(("name", "key"), [
    ("research-only", "noncommercial-statement"),
    ("Acme Non-Commercial License", "noncommercial-statement"),
    ("academic use only", "noncommercial-statement"),
    ("For research purposes only", "noncommercial-statement"),
    ("acme-model-license", "acme-model-license"),  # unknown, under its own name
    ("commercial", "commercial"),
])
def test_a_license_name_that_only_restricts_use_is_non_commercial(
        card: Card, kb: LicenseBase, name: str, key: str) -> None:
    """`license: other` with `license_name: research-only` was unknown: the name says what
    the use is limited to even though no license by that name is known."""
    result = resolve_license(card(f"---\nlicense: other\nlicense_name: {name}\n---\n# M\n"),
                             None, kb)
    assert (result.key, result.source) == (key, "license_name")
    restricted = key == "noncommercial-statement"
    assert result.category is (Category.NON_COMMERCIAL if restricted else Category.UNKNOWN)
    assert result.commercial_use is (False if restricted else None)
    assert result.evidence.field == "license_name"


@pytest.mark.parametrize(("row", "key"), [
    ("| **License** | MIT |", "mit"),
    ("| License | `Apache-2.0` |", "apache-2.0"),
    ("| **License** | see below |", "unknown"),
    # every CC version is read by its name, not cut to a bare "CC" (spaCy's Greek and Italian
    # pipelines were said to disagree with their own cc-by-nc-sa-3.0)
    ("| **License** | `CC BY-NC-SA 3.0` |", "cc-by-nc-sa-3.0"),
    ("| **License** | `CC BY-NC 3.0` |", "cc-by-nc-3.0"),
    ("| **License** | CC BY 2.0 |", "cc-by-2.0"),
    ("| **License** | CC |", "unknown"),
])
def test_a_license_row_of_a_details_table_states_the_license(card: Card, kb: LicenseBase,
                                                            row: str, key: str) -> None:
    """spaCy pipeline cards give their license in a table row, not in the front matter."""
    text = f"# en_pipeline\n\n| Feature | Description |\n| --- | --- |\n{row}\n"
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.source) == (key, "body" if key != "unknown" else "none")


def test_a_body_license_that_agrees_with_the_metadata_is_no_disagreement(card: Card,
                                                                          kb: LicenseBase) -> None:
    text = ("---\nlicense: cc-by-nc-sa-3.0\n---\n# el_core_news_sm\n\n| Feature | Description |"
            "\n| --- | --- |\n| **License** | `CC BY-NC-SA 3.0` |\n")
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.body_key, result.body_agrees) == (
        "cc-by-nc-sa-3.0", "cc-by-nc-sa-3.0", True)


def test_the_license_training_data_was_used_under_is_not_the_models(card: Card,
                                                                   kb: LicenseBase) -> None:
    """A list of the corpora a model was trained on, each "used under" its license, made an
    unlicensed model CC-BY-4.0 (permissive): unknown must fail closed."""
    sources = ("# Spanish QA\n\n## Training data\n* Articles from [Wikipedia](https://es."
               "wikipedia.org/), used under [CC-by licence](https://creativecommons.org/licenses/"
               "by/4.0/legalcode).\n* News, used under the CC BY 2.5 license.\n* Tweets, used "
               "here under creative commons attribution 4.0. international licence.\n")
    assert resolve_license(card(sources), None, kb).key == "unknown"
    own = ('## License notice\nThis work "Sep" is a derivative of LibriMix by Cosentino, used '
           "under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). \"Sep\" is licensed "
           "under [Attribution-ShareAlike 3.0 Unported](https://creativecommons.org/licenses/"
           "by-sa/3.0/) by Joris.\n")
    assert resolve_license(card(own), None, kb).key == "cc-by-sa-3.0"
    # …also with no space before the link (the Asteroid VAD_Net card)
    squeezed = own.replace("used under [CC BY 4.0]", "used under[CC BY 4.0]")
    result = resolve_license(card("---\nlicense: cc-by-sa-3.0\n---\n" + squeezed), None, kb)
    assert (result.body_key, result.body_agrees) == ("cc-by-sa-3.0", True)
    # a further source after "; of", with its license, on a line of its own: still a source's
    further = ('## License notice\nThis work "Vad" is a derivative of LibriSpeech by Panayotov,\n'
               "used under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/); of The "
               "[noise set](https://github.com/acme/noise) noises, [Attribution-ShareAlike 3.0 "
               "Unported](https://creativecommons.org/licenses/by-sa/3.0/).\n\"Vad\" is licensed "
               "under [Attribution-ShareAlike 4.0](https://creativecommons.org/licenses/by-sa/4.0/)"
               " by Joris.\n")
    result = resolve_license(card("---\nlicense: cc-by-sa-4.0\n---\n" + further), None, kb)
    assert (result.body_key, result.body_agrees, result.body_evidence.line) == (
        "cc-by-sa-4.0", True, 7)
    # …and the model's own license may follow on the same line (the FasNetTAC card)
    one_line = ('## License notice\nThis work "Tac" is a derivative of LibriSpeech, used under CC '
                "BY 4.0; of The noise set noises, used under CC BY 4.0. \"Tac\" is licensed under "
                "Attribution-ShareAlike 3.0 Unported by Joris.\n")
    result = resolve_license(card("---\nlicense: cc-by-sa-4.0\n---\n" + one_line), None, kb)
    assert (result.body_key, result.body_agrees) == ("cc-by-sa-3.0", False)


def test_a_credit_for_an_image_in_the_card_is_not_its_license(card: Card,
                                                               kb: LicenseBase) -> None:
    """The IC-GAN card credits its example images: '"Landscape in Bavaria" by …, licensed under
    CC BY 2.0' made CC-BY-2.0 the card text's license (CA-LIC-012 against CC-BY-NC-4.0)."""
    text = ("---\nlicense: cc-by-nc-4.0\n---\n# M\n\n*Credit for the images:* [1: \"Hills at "
            "dawn\" by someone, licensed under CC BY 2.0](https://example.org/photos/1), [2: "
            "\"Dunes\" by Kuwagata Keisai is marked with CC0 1.0](https://example.org/photos/2)\n")
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.body_key) == ("cc-by-nc-4.0", None)


def test_weights_license_named_by_the_model_and_link_text(card: Card, kb: LicenseBase) -> None:
    # the ChatGLM cards' wording: code under Apache-2.0, the weights under the model's own license
    text = ("# ChatGLM2-6B\n\n## 协议\n\n本仓库的代码依照 [Apache-2.0](LICENSE) 协议开源，"
            "ChatGLM2-6B 模型的权重的使用则需要遵循 [Model License](MODEL_LICENSE)。\n")
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.source, result.commercial_use) == (
        "chatglm-6b-model-license", "body", True)


def test_weights_terms_stated_in_words_resolve_to_the_known_license(card: Card,
                                                                     kb: LicenseBase) -> None:
    # the InternLM cards name no license, only its terms
    text = ("# M\n\n## Open Source License\n\nThe code is licensed under Apache-2.0, while "
            "model weights are fully open for academic research and also allow **free** "
            "commercial usage. Apply for a commercial license with the form.\n")
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.category, result.commercial_use) == (
        "internlm-license", Category.COMMUNITY, True)


def test_declared_license_said_to_cover_only_code_leaves_commercial_use_open(
        card: Card, kb: LicenseBase) -> None:
    text = ("---\nlicense: apache-2.0\n---\n# M\n\nThe code is released under the Apache-2.0 "
            "license. The model weights are subject to the [Model License](MODEL_LICENSE).\n")
    result = resolve_license(card(text), None, kb)
    assert (result.key, result.code_only, result.commercial_use) == ("apache-2.0", True, None)


def test_no_license_anywhere_is_unknown(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("# Model\n\nNothing here.\n"), None, kb)
    assert (result.key, result.source, result.category) == ("unknown", "none", Category.UNKNOWN)


def test_license_file_disagreement_is_detected(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("---\nlicense: apache-2.0\n---\n"),
                             LicenseFile("LICENSE", "MIT License\n\nCopyright (c) 2026\n"), kb)
    assert result.file_agrees is False and result.file_key == "mit"


_BSD_HEAD = ("Copyright (c) 2026, Acme\nAll rights reserved.\n\nRedistribution and use in "
             "source and binary forms, with or without\nmodification, are permitted provided "
             "that the following conditions are met:\n\n1. Redistributions of source code must "
             "retain the above copyright notice.\n\n2. Redistributions in binary form must "
             "reproduce the above copyright notice.\n")


@pytest.mark.parametrize(("text", "key"), [
    # license texts that start with their copyright line, not a title
    ("Copyright (c) 2026 Acme\n\nPermission is hereby granted, free of charge, to any person "
     "obtaining a copy\nof this software and associated documentation files", "mit"),
    (_BSD_HEAD + "\n3. Neither the name of the copyright holder nor the names of its\n"
     "   contributors may be used to endorse or promote products\n", "bsd-3-clause"),
    (_BSD_HEAD + "\nTHIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS\n",
     "bsd-2-clause"),
    # the specific license, not the generic family whose title comes first in the table
    ("Copyright (c) 2022 Acme and contributors\n\nCreativeML Open RAIL-M\ndated August 22, "
     "2022\n", "creativeml-openrail-m"),
])
def test_common_license_files_are_recognised(card: Card, kb: LicenseBase, text: str,
                                             key: str) -> None:
    result = resolve_license(card("---\nlicense: other\n---\n# M\n"), LicenseFile("LICENSE", text),
                             kb)
    assert (result.key, result.source) == (key, "license_file")


def test_spdx_ids_outside_the_table_come_from_scancode(kb: LicenseBase) -> None:
    terms = kb.lookup("MPL-1.1")
    assert terms is not None and terms.from_scancode
    assert terms.category is Category.WEAK_COPYLEFT


def test_obligations_come_from_the_knowledge_base(card: Card, kb: LicenseBase) -> None:
    result = resolve_license(card("---\nlicense: llama3\n---\n"), None, kb)
    kinds = {o.kind for o in result.obligations}
    assert {"attribution", "naming", "user_cap", "aup", "outputs"} <= kinds


def test_broken_knowledge_base_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "licenses.yaml"
    path.write_text("schema_version: 1\ncategory_order: [permissive, weak_copyleft, "
                    "strong_copyleft, responsible_ai, community, no_derivatives, non_commercial,"
                    " proprietary, unknown]\nlicenses:\n  x:\n    name: X\n    spdx: MIT\n"
                    "    category: permisive\n")
    with pytest.raises(RuleError, match=r"licenses.yaml:7: licenses.x.category: unknown "
                                        r"category 'permisive'"):
        load_license_base(path)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([*HUB_IDS, "Apache-2.0", "MIT", "GPL-2.0+", "foo bar", "CC-BY-4.0"]))
def test_normalisation_is_idempotent(kb: LicenseBase, name: str) -> None:
    first = kb.lookup(name)
    if first is None:
        return
    again = kb.lookup(first.key)
    assert again is not None and again.key == first.key
    by_spdx = kb.lookup(first.spdx) if first.spdx != "NOASSERTION" else first
    assert by_spdx is not None and by_spdx.category == first.category


def test_made_up_license_names_do_not_grow_the_lookup_memo_without_bound(tmp_path: Path) -> None:
    from cardaudit.pack import load_pack

    kb = load_pack().knowledge.licenses  # its own memo, not the session's
    for i in range(12_000):
        assert kb.from_license_db(f"acme-made-up-license-{i}") is None
    assert kb.from_license_db("x" * 100_000) is None
    assert len(kb._scancode_cache) <= 10_000
    assert all(len(name) <= 200 for name in kb._scancode_cache)


@pytest.mark.parametrize(("front", "declared", "problem"), [
    ("license: {name: mit}", '{"name": "mit"}', 'license is a mapping ({"name": "mit"}), not text'),
    ("license: 2", "2", "license is a number (2), not text"),
    ("license: true", "true", "license is a boolean (true), not text"),
    ("license: [mit, {a: 1}]", 'mit OR {"a": 1}', "license list holds values that are not text"),
])
def test_a_license_that_is_not_text_reads_as_the_card_wrote_it(
        kb: LicenseBase, card: Callable[[str | bytes], CardDocument], front: str,
        declared: str, problem: str) -> None:
    """Never Python's spelling ({'name': 'mit'}, True) in a key, a message or a report."""
    resolution = resolve_license(card(f"---\n{front}\n---\n# M\n"), None, kb)
    assert resolution.key == declared
    assert problem in resolution.problems
    assert resolution.category is Category.UNKNOWN or "mit" in declared
