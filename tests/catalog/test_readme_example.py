"""The complete example in modules/README.md is valid content."""

import re
from pathlib import Path

from trainer.catalog.loader import load_content

README = Path(__file__).resolve().parents[2] / "modules" / "README.md"
EXAMPLE_FILE = re.compile(r"^File `([^`]+)`:\n\n```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def example_files() -> dict[str, str]:
    return dict(EXAMPLE_FILE.findall(README.read_text(encoding="utf-8")))


def test_readme_example_loads_without_problems(tmp_path: Path) -> None:
    files = example_files()
    assert "example-basics/module.yaml" in files and "tracks.yaml" in files
    root = tmp_path / "modules"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    content = load_content(root)
    assert content.problems == [], "\n".join(map(str, content.problems))
    assert content.findings == [], "\n".join(map(str, content.findings))
    module = content.modules["example-basics"]
    assert [item["type"] for item in module.items] == [
        "true_false",
        "single",
        "multiple",
        "true_false",
        "scenario",
        "single",
        "true_false",
        "single",
    ]
    assert module.post_test_requires == ("never-confront",)
    grouped = [item["id"] for item in module.items if item.get("group") == "never-confront"]
    assert grouped == ["confront-guest", "confront-yourself", "confront-supervisor"]
    assert module.lessons[0].title == {"en": "What trafficking is", "es": "Qué es la trata"}
    assert 'href="tel:+18883737888"' in module.lessons[0].html["en"]
    assert [track.slug for track in content.tracks] == ["example-track"]
