"""The bounded YAML reader: YAML 1.2 scalars, key lines, and hostile input."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cardaudit.cards import yamlsafe


def test_norway_words_and_dates_stay_text() -> None:
    loaded = yamlsafe.load("language: no\nlicense: on\ndate: 2024-01-01\nflag: true\nn: 12\n")
    assert loaded.value == {"language": "no", "license": "on", "date": "2024-01-01",
                            "flag": True, "n": 12}
    assert loaded.problems == ()


def test_every_key_and_list_item_has_its_line() -> None:
    loaded = yamlsafe.load("license: mit\nbase_model:\n  - a/b\n  - c/d\n"
                           "extra_gated_fields:\n  Country: country\n")
    assert loaded.lines["license"] == 0
    assert loaded.lines["base_model[1]"] == 3
    assert loaded.lines["extra_gated_fields.Country"] == 5


def test_alias_bomb_is_cut_off_quickly_and_other_keys_survive() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(levels) + "\nlicense: mit\n"
    started = time.perf_counter()
    loaded = yamlsafe.load(text)
    assert time.perf_counter() - started < 5
    assert loaded.value["license"] == "mit"
    assert "i" not in loaded.value
    assert any("too large" in p.message for p in loaded.problems)
    assert loaded.used_aliases


def test_deep_flow_nesting_is_refused_without_crashing() -> None:
    loaded = yamlsafe.load("a: " + "[" * 200_000 + "]" * 200_000)
    assert loaded.value is None
    assert loaded.problems


def test_recursive_alias_is_refused() -> None:
    loaded = yamlsafe.load("a: &x [*x]\nb: 1\n")
    assert loaded.value["b"] == 1
    assert any("recursive" in p.message for p in loaded.problems)


def test_python_tags_are_never_constructed() -> None:
    loaded = yamlsafe.load("a: !!python/object/apply:os.system ['echo pwned']\n")
    assert loaded.value == {"a": ["echo pwned"]}
    assert any("unsupported YAML tag" in p.message for p in loaded.problems)


def test_duplicate_key_is_reported_and_last_wins_with_its_line() -> None:
    loaded = yamlsafe.load("license: mit\nlicense: apache-2.0\n")
    assert loaded.value == {"license": "apache-2.0"}
    assert loaded.lines["license"] == 1
    assert "duplicate key" in loaded.problems[0].message


def test_syntax_error_names_the_line() -> None:
    loaded = yamlsafe.load("license: mit\ntags: [a\n")
    assert loaded.value is None
    assert loaded.problems[0].line is not None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_value_or_problems_never_an_exception(text: str) -> None:
    loaded = yamlsafe.load(text)
    assert isinstance(loaded.problems, tuple)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(
    st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
    st.one_of(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                      max_size=20),
              st.integers(-10**6, 10**6), st.booleans(),
              st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=4)),
    min_size=1, max_size=8))
def test_rendered_mapping_reads_back_with_lines_on_its_keys(mapping: dict[str, object]) -> None:
    # PyYAML writes YAML 1.1; strings that YAML 1.2 reads as numbers (`0E0`) are left out.
    assume(not any(isinstance(v, str) and yamlsafe.load(f"v: {v}").value != {"v": v.strip()}
                   and v.strip() == v for v in mapping.values()))
    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
    loaded = yamlsafe.load(text)
    assert loaded.value == mapping
    lines = text.split("\n")
    for key in mapping:
        assert lines[loaded.lines[key]].lstrip("'\"").startswith(key)


def _nodes_of(text: str, *, from_events: bool) -> object:
    """What libyaml's composer (or `compose_events` over libyaml's events) makes of a text:
    the serialized document plus every node's tag and marks, or the error's text."""
    parser = yamlsafe._CComposer(text)
    try:
        root = yamlsafe.compose_events(parser, parser) if from_events \
            else parser.get_single_node()
    except yaml.YAMLError as exc:
        return ("error", str(exc))
    finally:
        parser.dispose()
    if root is None:
        return None
    marks, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        marks.append((node.tag, node.start_mark.line, node.start_mark.column,
                      node.end_mark.line, node.end_mark.column))
        if isinstance(node.value, list):
            for item in node.value:
                stack.extend(item if isinstance(item, tuple) else (item,))
    return yaml.serialize(root), marks


YAML_TOKENS = ["[", "]", "{", "}", ", ", "a", "b: ", "&x ", "*x ", "&y ", "*y ", '"q"', "\n",
               "- ", "  ", "1", "null", "? ", ": ", "!!str ", "! ", "--- ", "|\n  t\n", "#c"]


@given(st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join))
@settings(max_examples=500, deadline=None)
def test_composing_from_events_gives_libyamls_nodes_marks_and_errors(text: str) -> None:
    assert _nodes_of(text, from_events=True) == _nodes_of(text, from_events=False)


def test_flow_heavy_front_matter_is_composed_from_events_as_libyaml_would() -> None:
    # more than a thousand brackets: too many for the recursive composer's nesting bound
    text = "base: &m {n: 2}\nmodel-index:\n- name: m\n  results:\n" + \
        "  - task: {type: t}\n    metrics: [{type: acc, value: 1}, *m]\n" * 2_000
    assert yamlsafe._nesting_bound(text) > yamlsafe._C_NESTING_LIMIT
    assert _nodes_of(text, from_events=True) == _nodes_of(text, from_events=False)
    loaded = yamlsafe.load(text)
    assert loaded.problems == ()
    assert loaded.value["model-index"][0]["results"][1999]["metrics"][1] == {"n": 2}
    assert loaded.lines["model-index[0].results"] == 3
    assert loaded.used_aliases


def test_composing_from_events_stops_at_the_nesting_bound() -> None:
    class Deep:  # libyaml stops at 1,000 levels itself; a build without that limit would not
        def __init__(self, depth: int) -> None:
            self.events = [yaml.StreamStartEvent(), yaml.DocumentStartEvent()] + \
                [yaml.SequenceStartEvent(None, None, True) for _ in range(depth)]

        def get_event(self) -> object:
            return self.events.pop(0)

        def check_event(self, *kinds: type) -> bool:
            return isinstance(self.events[0], kinds)

    resolver = yamlsafe._CoreResolver()
    with pytest.raises(RecursionError):
        yamlsafe.compose_events(Deep(yamlsafe.MAX_COMPOSED_DEPTH + 5), resolver)


def test_merge_keys_fill_in_what_the_mapping_does_not_set() -> None:
    loaded = yamlsafe.load("base: &b {license: mit, tags: [x]}\nmodel: {<<: *b, tags: [y]}\n")
    assert loaded.value["model"] == {"tags": ["y"], "license": "mit"}
    assert loaded.problems == ()


@pytest.mark.parametrize(("text", "kept", "problem"), [
    ("a: !custom 5\nlicense: mit\n", {"a": "5", "license": "mit"},
     "unsupported YAML tag '!custom' at 'a'; read as text"),
    ("? [a, b]\n: v\nlicense: mit\n", {"license": "mit"},
     "a complex (non-scalar) key under '<top>' was ignored"),
    ("deep:\n" + "".join("  " * i + "k:\n" for i in range(1, 70)) + "  " * 70 + "x: 1\n"
     "license: mit\n", None, "nests deeper than 64 levels; the rest is ignored"),
    ("tags: [" + ", ".join(["t"] * 30) + "]\nlicense: mit\n", {"license": "mit"},
     "'tags' is too large (more than 20 values); ignored"),
    ("- " + "\n- ".join(str(i) for i in range(30)) + "\n", None,
     "document holds more than 20 values; not read"),
])
def test_each_unreadable_part_is_one_problem_and_the_rest_is_kept(
        text: str, kept: dict[str, object] | None, problem: str) -> None:
    loaded = yamlsafe.load(text, budget=20 if "values" in problem else yamlsafe.MAX_NODES)
    assert [p.message for p in loaded.problems if problem in p.message], loaded.problems
    if kept is not None:
        assert loaded.value == kept
    elif isinstance(loaded.value, dict):
        assert loaded.value["license"] == "mit"  # the key after the deep one survives
    else:
        assert loaded.value is None
