"""One item of a module's bank, checked and normalized.

The normalized shape is described in `trainer.catalog.loader`.
"""

from __future__ import annotations

import copy
from typing import Any

from trainer.catalog.itemrules import RULES, ItemSource
from trainer.catalog.specs import (
    ALL_ITEM_FIELDS,
    ITEM_FIELDS,
    ITEM_TYPES,
    ITEM_USES,
    OPTION_ID,
    SCORINGS,
)
from trainer.core.yamlcheck import (
    Ctx,
    check_fields,
    choice_field,
    id_field,
    is_int,
    list_field,
    mapping,
    pick,
    report_duplicates,
    text_field,
)
from trainer.core.yamlsrc import LineDict, LineList

# --------------------------------------------------------------------------- items


def _options(ctx: Ctx, item: LineDict) -> list[dict[str, Any]]:
    """Return the normalized options of a single or multiple item."""
    raw = list_field(ctx, item, "options")
    if "options" in item and not 2 <= len(raw) <= 6:
        ctx.add(item.line_of("options"), f"an item needs 2 to 6 options, not {len(raw)}")
    options: list[dict[str, Any]] = []
    lines: list[int] = []
    for index, entry in enumerate(raw):
        option = mapping(ctx, entry, raw.line_of(index), "an option")
        if option is None:
            continue
        check_fields(ctx, option, {"id", "text"}, (), "an option")
        option_id = id_field(ctx, option, "id", "an option id", OPTION_ID)
        options.append({"id": option_id, "text": text_field(ctx, option, "text")})
        lines.append(option.line)
    report_duplicates(ctx, zip((o["id"] for o in options), lines, strict=True), "option")
    return options


def _correct(ctx: Ctx, item: LineDict, kind: str | None, option_ids: set[str]) -> Any:
    """Return the validated `correct` value for an item of type `kind`."""
    if "correct" not in item or kind not in ("single", "multiple", "true_false"):
        return None
    value, line = item["correct"], item.line_of("correct")
    if kind == "true_false":
        if not isinstance(value, bool):
            ctx.add(line, f"'correct' of a true_false item must be true or false, not {value!r}")
        return value
    if kind == "single":
        if not (isinstance(value, str) or is_int(value)):
            ctx.add(line, f"'correct' of a single item must be one option id, not {value!r}")
            return None
        answers = [str(value)]
    else:
        if not isinstance(value, list) or not value:
            ctx.add(line, "'correct' of a multiple item must be a list of one or more option ids")
            return None
        answers = [str(answer) for answer in value]
        if len(set(answers)) != len(answers):
            ctx.add(line, "'correct' names an option more than once")
    for answer in answers:
        if option_ids and answer not in option_ids:
            ctx.add(line, f"'correct' names '{answer}', which is not an option of this item")
    return answers[0] if kind == "single" else answers


def _scoring(ctx: Ctx, item: LineDict, kind: str | None) -> str:
    """Return a multiple item's scoring rule (all_or_nothing for every other type)."""
    if kind != "multiple":
        return "all_or_nothing"
    return choice_field(ctx, item, "scoring", SCORINGS, "all_or_nothing") or "all_or_nothing"


def _questions(ctx: Ctx, item: LineDict, use: str | None) -> list[dict[str, Any]]:
    """Return the normalized sub-items of a scenario (2 to 4, none a scenario)."""
    raw = list_field(ctx, item, "questions")
    if "questions" in item and not 2 <= len(raw) <= 4:
        ctx.add(item.line_of("questions"), f"a scenario needs 2 to 4 questions, not {len(raw)}")
    subs = [
        read_item(ctx, entry, raw.line_of(index), use or "both") for index, entry in enumerate(raw)
    ]
    found = [sub for sub in subs if sub is not None]
    report_duplicates(ctx, ((s["id"], s["_line"]) for s in found), "scenario question")
    for sub in found:
        del sub["_line"]
    return found


def _text_lines(data: LineDict, key: str) -> dict[str, int]:
    """Return the line of each language of a translated text."""
    value = data.get(key)
    return {lang: value.line_of(lang) for lang in value} if isinstance(value, LineDict) else {}


def _option_lines(item: LineDict) -> dict[str, dict[str, int]]:
    """Return, per option id, the line of each language of its text."""
    raw = item.get("options")
    lines: dict[str, dict[str, int]] = {}
    for entry in raw if isinstance(raw, LineList) else []:
        if isinstance(entry, LineDict) and (
            isinstance(entry.get("id"), str) or is_int(entry.get("id"))
        ):
            lines[str(entry["id"])] = _text_lines(entry, "text")
    return lines


def _accept(ctx: Ctx, item: LineDict) -> tuple[dict[str, str], dict[str, int]]:
    """Return the acknowledged exceptions ({rule code: reason}) and the line of each."""
    if "accept" not in item:
        return {}, {}
    raw = mapping(ctx, item["accept"], item.line_of("accept"), "'accept' (rule code: reason)")
    accepted: dict[str, str] = {}
    lines: dict[str, int] = {}
    for code, reason in (raw or {}).items():
        line = raw.line_of(code) if raw is not None else item.line
        if code not in RULES:
            ctx.add(line, f"'accept' names unknown rule '{code}' (rules: {', '.join(RULES)})")
        elif not isinstance(reason, str) or len(reason.split()) < 2:
            ctx.add(
                line,
                f"'accept' of '{code}' needs a reason: a few words on why this item is a "
                "justified exception",
            )
        else:
            accepted[code], lines[code] = " ".join(reason.split()), line
    return accepted, lines


def _source(ctx: Ctx, item: LineDict, questions: list[dict[str, Any]] | None = None) -> ItemSource:
    """Return where an item and its texts stand; takes its questions' sources out of them."""
    accept, accept_lines = _accept(ctx, item)
    subs = {str(sub["id"]): sub.pop("_source") for sub in questions or [] if "_source" in sub}
    return ItemSource(
        path=ctx.path,
        line=item.line,
        module=ctx.module,
        stem=_text_lines(item, "stem"),
        case=_text_lines(item, "case"),
        options=_option_lines(item),
        accept=accept,
        accept_lines=accept_lines,
        questions=subs,
    )


def _item_type(ctx: Ctx, item: LineDict, nested: bool) -> str | None:
    """Return the item's type, reporting unknown types and nested scenarios."""
    kind = choice_field(ctx, item, "type", ITEM_TYPES)
    if nested and kind == "scenario":
        ctx.add(item.line_of("type"), "a scenario cannot contain another scenario")
        return None
    return kind


def read_item(
    ctx: Ctx, raw: Any, line: int, scenario_use: str | None = None
) -> dict[str, Any] | None:
    """Return one normalized item (with its line under '_line'); None if not a mapping.

    A scenario's question is read with `scenario_use` set: it takes the scenario's `use`.
    """
    nested = scenario_use is not None
    item = mapping(ctx, raw, line, "a question" if nested else "an item")
    if item is None:
        return None
    kind = _item_type(ctx, item, nested)
    required, optional = ITEM_FIELDS.get(kind or "", (frozenset({"id", "type"}), ALL_ITEM_FIELDS))
    if nested:
        required, optional = required - {"use"}, optional - {"use", "group"}
    check_fields(ctx, item, required, optional, "a question" if nested else "an item")
    use = scenario_use if nested else choice_field(ctx, item, "use", ITEM_USES)
    options = _options(ctx, item) if kind in ("single", "multiple") else []
    option_ids = {option["id"] for option in options if option["id"] is not None}
    result: dict[str, Any] = {
        "id": id_field(ctx, item, "id", "an item id"),
        "type": kind,
        "use": use,
        "stem": text_field(ctx, item, "stem"),
        "options": options,
        "correct": _correct(ctx, item, kind, option_ids) if kind != "scenario" else None,
        "scoring": _scoring(ctx, item, kind),
        "feedback": text_field(ctx, item, "feedback"),
        "_line": item.line,
    }
    group = None if nested else id_field(ctx, item, "group", "'group'")
    if group is not None:
        result["group"] = group
    if kind == "scenario":
        result["case"] = text_field(ctx, item, "case")
        result["questions"] = _questions(ctx, item, use)
    result["_source"] = _source(ctx, item, result.get("questions"))
    return result


def trim_item(item: dict[str, Any], languages: tuple[str, ...]) -> dict[str, Any]:
    """Return a deep copy of a normalized item keeping only `languages` in its texts."""
    result = copy.deepcopy(item)
    for key in ("stem", "feedback", "case"):
        if key in result:
            result[key] = pick(result[key], languages)
    for option in result["options"]:
        option["text"] = pick(option["text"], languages)
    if "questions" in result:
        result["questions"] = [trim_item(sub, languages) for sub in result["questions"]]
    return result
