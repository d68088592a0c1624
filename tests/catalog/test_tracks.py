"""tracks.yaml problems, and the report `flask content check` prints."""

from pathlib import Path

import pytest

from trainer.catalog.loader import TrackSpec, check_report, load_content

from .builders import assert_problem, line_of, make_tree, replace_in, write, write_module

TRACKS = "modules/tracks.yaml"

SECOND_TRACK = """\
  - slug: {slug}
    title: {{en: "Second", es: "Segunda"}}
    audience: {{org_kind: city_department, department: health, job_roles: [inspector]}}
    modules: [{modules}]
    certificate:
      title: {{en: "Certificate", es: "Certificado"}}
"""


def tracks_file(root: Path) -> Path:
    return root / "tracks.yaml"


def add_track(root: Path, slug: str = "second", modules: str = "base") -> None:
    text = tracks_file(root).read_text() + SECOND_TRACK.format(slug=slug, modules=modules)
    write(tracks_file(root), text)


def test_track_spec_fields(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write_module(root, "tailored", component=2)
    add_track(root, modules="base, tailored")
    content = load_content(root)
    assert content.problems == []
    assert content.tracks[1] == TrackSpec(
        slug="second",
        title={"en": "Second", "es": "Segunda"},
        audience_org_kind="city_department",
        audience_department="health",
        audience_job_roles=("inspector",),
        modules=("base", "tailored"),
        certificate_title={"en": "Certificate", "es": "Certificado"},
    )


def test_bad_yaml_in_tracks(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(tracks_file(root), "  - slug: main", "  - slug: main\n  oops")
    content = load_content(root)
    assert [(p.path, p.message.startswith("bad YAML")) for p in content.problems] == [
        (TRACKS, True)
    ]
    assert content.tracks == [] and "base" in content.modules


def test_unknown_module_in_track(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(tracks_file(root), "      - base", "      - base\n      - missing-module")
    line = line_of(tracks_file(root), "missing-module")
    content = assert_problem(root, f"{TRACKS}:{line}", "unknown module 'missing-module'")
    assert content.tracks == []


def test_module_with_problems_is_reported_by_its_track(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(root / "base" / "module.yaml", "review: feedback", "review: loud")
    line = line_of(tracks_file(root), "- base")
    content = assert_problem(root, f"{TRACKS}:{line}", "module 'base' has problems")
    assert content.tracks == []


@pytest.mark.parametrize(
    ("components", "bad", "fragment"),
    [
        ((2,), 1, "component 2, but position 1 needs component 1"),
        ((1, 3), 2, "component 3, but position 2 needs component 2"),
        ((1, 1), 2, "component 1, but position 2 needs component 2"),
        ((1, 3, 2), 2, "components must be 1, 2, 3 in order"),
    ],
)
def test_components_must_run_one_two_three(
    tmp_path: Path, components: tuple[int, ...], bad: int, fragment: str
) -> None:
    root = make_tree(tmp_path)
    slugs = [f"m{index}" for index in range(len(components))]
    for slug, component in zip(slugs, components, strict=True):
        write_module(root, slug, component=component)
    listing = "".join(f"      - {slug}\n" for slug in slugs)
    replace_in(tracks_file(root), "      - base\n", listing)
    line = line_of(tracks_file(root), f"- {slugs[bad - 1]}")
    assert_problem(root, f"{TRACKS}:{line}", fragment)


def test_duplicate_track_slug(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    add_track(root, slug="main")
    line = line_of(tracks_file(root), "- slug: main", occurrence=2)
    content = assert_problem(root, f"{TRACKS}:{line}", "duplicate track id 'main'")
    assert content.tracks == []


def test_unknown_org_kind(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(tracks_file(root), "org_kind: hotel", "org_kind: casino")
    line = line_of(tracks_file(root), "org_kind")
    assert_problem(root, f"{TRACKS}:{line}", "'org_kind' must be one of hotel, city_department")


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            "    modules:",
            "    colour: red\n    modules:",
            "colour",
            "unknown field 'colour' in a track",
        ),
        ("job_roles: []", "job_roles: []\n      shift: night", "shift", "unknown field 'shift'"),
        (
            'title: {en: "Certificate", es: "Certificado"}',
            'title: {en: "Certificate"}',
            'title: {en: "Certificate"}',
            "missing translation 'es' in 'title'",
        ),
        ("tracks:", "version: 2\ntracks:", "version", "unknown field 'version' in tracks.yaml"),
    ],
)
def test_track_field_problems(
    tmp_path: Path, old: str, new: str, needle: str, fragment: str
) -> None:
    root = make_tree(tmp_path)
    replace_in(tracks_file(root), old, new)
    assert_problem(root, f"{TRACKS}:{line_of(tracks_file(root), needle)}", fragment)


def test_missing_required_field_in_track(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    text = tracks_file(root).read_text()
    write(tracks_file(root), text[: text.index("    certificate:")])
    line = line_of(tracks_file(root), "- slug: main")
    assert_problem(root, f"{TRACKS}:{line}", "missing required field 'certificate' in a track")


def test_check_report_ok(tmp_path: Path) -> None:
    lines, status = check_report(make_tree(tmp_path))
    assert status == 0
    assert lines == ["content ok: 1 modules, 1 tracks"]


def test_check_report_lists_every_problem(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    replace_in(tracks_file(root), "org_kind: hotel", "org_kind: casino")
    replace_in(root / "base" / "module.yaml", "component: 1", "component: 7")
    lines, status = check_report(root)
    assert status == 1
    assert lines == [
        "modules/base/module.yaml:2: 'component' must be a whole number from 1 to 3, not 7",
        f"{TRACKS}:{line_of(tracks_file(root), 'org_kind')}: 'org_kind' must be one of "
        "hotel, city_department, partner, not 'casino'",
        f"{TRACKS}:{line_of(tracks_file(root), '- base')}: module 'base' has problems",
        "3 problem(s) and 0 finding(s) found",
    ]
