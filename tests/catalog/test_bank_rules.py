"""The bank rules: enough items to draw the tests (problems) and for fresh retakes
(findings), and required groups."""

from pathlib import Path

from trainer.catalog.loader import load_content

from .builders import assert_problem, line_of, make_tree, replace_in, write

MODULE = "modules/base/module.yaml"
QUESTIONS = "modules/base/questions.yaml"

POST_ITEM = """\
  - id: {id}
    type: true_false
    use: {use}
{extra}    stem: {{en: "Statement {id}.", es: "Afirmación {id}."}}
    correct: true
    feedback: {{en: "Yes.", es: "Sí."}}
"""


def questions_file(root: Path) -> Path:
    return root / "base" / "questions.yaml"


def module_file(root: Path) -> Path:
    return root / "base" / "module.yaml"


def add_items(root: Path, ids: list[str], use: str = "post", group: str | None = None) -> None:
    extra = f"    group: {group}\n" if group else ""
    text = questions_file(root).read_text(encoding="utf-8")
    for item_id in ids:
        text += POST_ITEM.format(id=item_id, use=use, extra=extra)
    write(questions_file(root), text)


def set_module(root: Path, old: str, new: str) -> None:
    replace_in(module_file(root), old, new)


def fresh_findings(root: Path) -> list[str]:
    return [str(f) for f in load_content(root).findings if f.code == "fresh-retakes"]


def test_builder_tree_meets_every_bank_rule(tmp_path: Path) -> None:
    content = load_content(make_tree(tmp_path))
    assert content.problems == [] and content.findings == []


def test_bank_too_small_for_the_pre_test(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    set_module(root, "pre_test_length: 1", "pre_test_length: 2")
    line = line_of(module_file(root), "pre_test_length")
    content = assert_problem(root, f"{MODULE}:{line}", "the pre-test draws 2 items but only 1")
    assert "base" not in content.modules


def test_bank_too_small_for_one_post_form(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    # p1 becomes `both`, q1 and q2 `pre`: a pre form may take p1, leaving nothing to post.
    replace_in(questions_file(root), "use: pre", "use: both")
    text = questions_file(root).read_text(encoding="utf-8").replace("use: post", "use: pre")
    write(questions_file(root), text)
    line = line_of(module_file(root), "post_test_length")
    content = assert_problem(
        root, f"{MODULE}:{line}", "a post form draws 1 items outside the required groups, only 0"
    )
    assert "base" not in content.modules


def test_share_items_relaxes_the_draw_rule_but_not_freshness(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(questions_file(root), "use: pre", "use: both")
    text = questions_file(root).read_text(encoding="utf-8").replace("use: post", "use: pre")
    write(questions_file(root), text)
    set_module(root, "review: feedback", "review: feedback\nshare_items: true")
    content = load_content(root)
    assert content.problems == []
    assert "base" in content.modules
    line = line_of(module_file(root), "post_test_length")
    assert fresh_findings(root) == [
        f"{MODULE}:{line}: fresh-retakes: 2 attempts x 1 items need 2 post items the pre-test "
        "cannot have taken, the bank has 0: a learner may see 2 item(s) again (see "
        'modules/README.md, "The bank rules")'
    ]


def test_fresh_retakes_counts_attempts_and_the_pre_tests_worst_case(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    # two post items cover 2 attempts of 1 item; a third attempt needs a third item
    assert fresh_findings(root) == []
    set_module(root, "attempts: 2", "attempts: 3")
    content = load_content(root)
    assert content.problems == [] and "base" in content.modules
    (finding,) = fresh_findings(root)
    assert finding.startswith(f"{MODULE}:{line_of(module_file(root), 'post_test_length')}: ")
    assert "need 3 post items" in finding and "the bank has 2" in finding
    # a `both` item does not help: the pre-test may take it
    add_items(root, ["b1"], use="both")
    set_module(root, "pre_test_length: 1", "pre_test_length: 2")
    assert "the bank has 2" in fresh_findings(root)[0]
    add_items(root, ["q3"])
    assert fresh_findings(root) == []


def test_required_group_is_drawn_once_per_form(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    set_module(root, "post_test_length: 1", "post_test_length: 2")
    set_module(root, "review: feedback", "review: feedback\npost_test_requires: [hotline]")
    add_items(root, ["h1", "h2"], group="hotline")
    content = load_content(root)
    assert content.problems == [] and content.findings == []
    module = content.modules["base"]
    assert module.post_test_requires == ("hotline",)
    assert [i["id"] for i in module.items if i.get("group") == "hotline"] == ["h1", "h2"]
    assert "group" not in module.items[0]
    assert module.as_json()["post_test_requires"] == ["hotline"]


def test_required_groups_leave_the_hash_of_content_without_them(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    before = load_content(root).modules["base"]
    assert "post_test_requires" not in before.as_json()
    set_module(root, "review: feedback", "review: feedback\npost_test_requires: []")
    assert load_content(root).modules["base"].content_hash == before.content_hash


def test_required_group_needs_an_item_per_attempt(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    set_module(root, "post_test_length: 1", "post_test_length: 2")
    set_module(root, "review: feedback", "review: feedback\npost_test_requires: [hotline]")
    add_items(root, ["h1"], group="hotline")
    line = line_of(module_file(root), "post_test_requires")
    assert_problem(
        root, f"{MODULE}:{line}", "group 'hotline' holds 1 post item(s); each of the 2 attempts"
    )


def test_required_group_must_exist_and_fit_in_the_form(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    set_module(root, "review: feedback", "review: feedback\npost_test_requires: [a, b]")
    line = line_of(module_file(root), "post_test_requires")
    assert_problem(root, f"{MODULE}:{line}", "post_test_requires names group 'a', but no item")
    assert_problem(root, f"{MODULE}:{line}", "names 2 groups, more than post_test_length (1)")


def test_required_group_listed_twice(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    set_module(root, "review: feedback", "review: feedback\npost_test_requires: [a, a]")
    line = line_of(module_file(root), "post_test_requires")
    assert_problem(root, f"{MODULE}:{line}", "duplicate required group id 'a'")


def test_required_group_items_are_post_only(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    set_module(root, "post_test_length: 1", "post_test_length: 2")
    set_module(root, "review: feedback", "review: feedback\npost_test_requires: [hotline]")
    add_items(root, ["h1", "h2"], group="hotline")
    add_items(root, ["h3"], use="both", group="hotline")
    line = line_of(questions_file(root), "- id: h3")
    content = assert_problem(
        root, f"{QUESTIONS}:{line}", "item 'h3' is in group 'hotline', which module 'base'"
    )
    assert "base" not in content.modules


def test_group_is_an_id_and_only_on_top_level_items(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    add_items(root, ["h1"], group="Hot Line")
    line = line_of(questions_file(root), "group: Hot Line")
    assert_problem(root, f"{QUESTIONS}:{line}", "'group' must match [a-z0-9-]+")


def test_group_not_required_is_only_a_label(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    add_items(root, ["h1"], use="both", group="hotline")
    content = load_content(root)
    assert content.problems == [] and content.findings == []
    assert content.modules["base"].items[-1]["group"] == "hotline"
