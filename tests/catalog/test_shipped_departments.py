"""The shipped city-department modules (Health Department and Office of Business
Opportunity, components 2 and 3): every item-writing rule holds, every text is in
English, Spanish and Vietnamese, and every item about a minor at risk keys a call to 911."""

from pathlib import Path
from typing import Any

import pytest

from trainer.catalog.loader import LoadedContent, check_report, load_content

MODULES = Path(__file__).resolve().parents[2] / "modules"
DEPARTMENTS = ("health-tailored", "health-implementation", "obo-tailored", "obo-implementation")
LANGUAGES = ("en", "es", "vi")
TRACKS = ("health-department", "business-opportunity")

# Items (or scenario questions) about a person under 18: the keyed option, where there is
# one, and the feedback must send the learner to 911.
MINOR_ITEMS = {
    "health-tailored": {
        "health-minor-positive",
        "health-minor-no-force",
        "health-inspector-minor",
    },
    "health-implementation": {
        "healthimpl-minor-no-consent",
        "healthimpl-case-minor.q1",
        "healthimpl-case-minor.q2",
        "healthimpl-case-minor.q3",
    },
    "obo-tailored": {"obo-minor-on-site"},
    "obo-implementation": {"oboimpl-minor-c8"},
}


@pytest.fixture(scope="module")
def content() -> LoadedContent:
    """The shipped content, loaded once for this file."""
    return load_content(MODULES)


def _questions(module_items: tuple[dict[str, Any], ...]) -> dict[str, dict[str, Any]]:
    """Every question by its full id: top-level items and each scenario's questions."""
    found: dict[str, dict[str, Any]] = {}
    for item in module_items:
        if item["type"] == "scenario":
            for question in item["questions"]:
                found[f"{item['id']}.{question['id']}"] = question
        else:
            found[item["id"]] = item
    return found


def test_department_modules_have_no_problem_and_no_finding() -> None:
    lines, _ = check_report(MODULES)
    ours = tuple(f"modules/{slug}/" for slug in DEPARTMENTS)
    assert [line for line in lines if line.startswith(ours)] == []


@pytest.mark.parametrize("slug", DEPARTMENTS)
def test_every_lesson_document_and_item_is_in_three_languages(
    content: LoadedContent, slug: str
) -> None:
    module = content.modules[slug]
    assert module.languages == LANGUAGES
    for texts in (module.title, module.summary):
        assert set(texts) == set(LANGUAGES) and all(texts.values())
    for page in (*module.lessons, *module.documents):
        assert set(page.markdown) == set(LANGUAGES), page.id
        assert all(page.title[language] for language in LANGUAGES), page.id
    if module.component == 3:
        assert module.documents and module.attestation is not None
        assert set(module.attestation["statement"]) == set(LANGUAGES)
    for question_id, question in _questions(module.items).items():
        assert set(question["stem"]) == set(LANGUAGES), question_id
        assert set(question["feedback"]) == set(LANGUAGES), question_id
        for option in question.get("options", []):
            assert set(option["text"]) == set(LANGUAGES), (question_id, option["id"])


def test_department_tracks_and_certificates_have_vietnamese_titles(
    content: LoadedContent,
) -> None:
    tracks = {track.slug: track for track in content.tracks}
    for slug in TRACKS:
        assert tracks[slug].title.get("vi"), slug
        assert tracks[slug].certificate_title.get("vi"), slug


@pytest.mark.parametrize("slug", DEPARTMENTS)
def test_every_item_about_a_minor_keys_a_call_to_911(content: LoadedContent, slug: str) -> None:
    questions = _questions(content.modules[slug].items)
    assert MINOR_ITEMS[slug] <= set(questions)
    for question_id in MINOR_ITEMS[slug]:
        question = questions[question_id]
        for language in LANGUAGES:
            assert "911" in question["feedback"][language], (question_id, language)
            if question["type"] == "single":
                keyed = next(o for o in question["options"] if o["id"] == question["correct"])
                assert "911" in keyed["text"][language], (question_id, language)


@pytest.mark.parametrize("slug", ("health-implementation", "obo-implementation"))
def test_implementation_procedures_send_a_minor_at_risk_to_911(
    content: LoadedContent, slug: str
) -> None:
    documents = {document.id: document for document in content.modules[slug].documents}
    procedure = documents[
        "referral-procedure" if slug.startswith("health") else "escalation-procedure"
    ]
    words = {"en": "minor", "es": "menor", "vi": "vị thành niên"}
    for language in LANGUAGES:
        text = procedure.markdown[language]
        assert "911" in text and words[language] in text, language
