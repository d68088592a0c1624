"""The `contacts` attribute of a lesson: checked by the loader, kept in the version."""

from pathlib import Path

from trainer.catalog.loader import load_content

from .builders import assert_problem, line_of, make_tree, replace_in

MODULE = "modules/base/module.yaml"
SHIPPED = Path(__file__).resolve().parents[2] / "modules"


def _lesson(root: Path) -> dict:
    content = load_content(root)
    assert content.problems == []
    return content.modules["base"].lessons[0].as_json()


def test_contacts_true_is_kept_and_changes_the_content_hash(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    plain = load_content(root).modules["base"].content_hash
    assert "contacts" not in _lesson(root)
    replace_in(
        root / "base" / "module.yaml",
        "minimum_seconds: 60",
        "minimum_seconds: 60\n    contacts: true",
    )
    assert _lesson(root)["contacts"] is True
    assert load_content(root).modules["base"].content_hash != plain


def test_contacts_false_is_the_same_as_leaving_it_out(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    plain = load_content(root).modules["base"].content_hash
    replace_in(
        root / "base" / "module.yaml",
        "minimum_seconds: 60",
        "minimum_seconds: 60\n    contacts: false",
    )
    assert "contacts" not in _lesson(root)
    assert load_content(root).modules["base"].content_hash == plain


def test_contacts_must_be_true_or_false(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    module = root / "base" / "module.yaml"
    replace_in(module, "minimum_seconds: 60", "minimum_seconds: 60\n    contacts: yes please")
    assert_problem(
        root, f"{MODULE}:{line_of(module, 'contacts:')}", "'contacts' must be true or false"
    )


def test_shipped_lessons_on_what_to_do_show_contacts() -> None:
    content = load_content(SHIPPED)
    assert content.problems == []
    marked = {
        slug: [lesson.id for lesson in module.lessons if lesson.contacts]
        for slug, module in content.modules.items()
    }
    assert "responding" in marked["intro-indicators"]
    assert "responding" in marked["hotel-lodging"]  # its own lesson replaces the inherited one
    for slug in ("health-tailored", "health-implementation", "obo-tailored", "obo-implementation"):
        assert marked[slug], slug
