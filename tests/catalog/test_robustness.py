"""Whatever a field holds, the loader reports problems instead of crashing."""

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.catalog.loader import load_content

from .builders import make_tree

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(["base/module.yaml", "base/questions.yaml", "tracks.yaml"]),
    line_index=st.integers(0, 40),
    value=yaml_values,
)
def test_any_value_in_any_field_never_crashes(name: str, line_index: int, value: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = make_tree(Path(folder))
        path = root / name
        lines = path.read_text(encoding="utf-8").splitlines()
        index = line_index % len(lines)
        key, _, _ = lines[index].partition(":")
        lines[index] = f"{key}: {json.dumps(value)}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        content = load_content(root)
        module_failed = any(p.path.startswith("modules/base/") for p in content.problems)
        assert ("base" in content.modules) != module_failed
        track_failed = any(p.path == "modules/tracks.yaml" for p in content.problems)
        assert bool(content.tracks) != track_failed
