"""Formatting of a :class:`~.diff_model.TopologyDiff`: a pull-request comment (Markdown) and the same
for a terminal."""

from __future__ import annotations

from .diff_model import Change, TopologyDiff, show


def describe_change(change: Change) -> str:
    label = f"{change.subject} {change.name}" if change.subject not in change.name else change.name
    if change.subject in ("tags", "internal hop", "control api", "dns", "state", "topology"):
        label = change.subject if change.subject != "topology" else f"topology {change.name}"
    if change.kind != "changed":
        return f"{label} {change.kind}"
    return f"{label}: " + "; ".join(f"{f.field} {show(f.old)} -> {show(f.new)}" for f in change.fields)


def _headline(diff: TopologyDiff) -> str:
    if diff.empty:
        return "no changes"
    counts = {a: sum(1 for s in diff.stacks if s.action == a) for a in ("create", "update", "delete")}
    parts = [f"{len(diff.changes)} topology change{'s' if len(diff.changes) != 1 else ''}"]
    stack_bits = [f"{n} to {a}" for a, n in counts.items() if n]
    parts.append(f"stacks: {', '.join(stack_bits)}" if stack_bits else "no stack changes")
    restarts = diff.restarts
    parts.append(f"{len(restarts)} flow{'s' if len(restarts) != 1 else ''} (re)started")
    interrupted = [f for f in diff.flows if f.interrupts]
    parts.append(f"{len(interrupted)} stream{'s' if len(interrupted) != 1 else ''} interrupted")
    return "; ".join(parts)


_MD_ESCAPES = {
    "\\": "\\\\",
    "|": "\\|",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "#": "\\#",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "@": "&#64;",  # no @-mentions from a topology value in a pull-request comment
    "`": "'",
}


def _md(text: str) -> str:
    """Text for Markdown (also a table cell): one line, Markdown and HTML specials neutralised."""
    text = " ".join(text.split()).replace(" -> ", " \x00 ")
    return "".join(_MD_ESCAPES.get(ch, ch) for ch in text).replace("\x00", "→")


def _code(text: str) -> str:
    """A name as a code span, safe in a table cell."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def format_markdown(diff: TopologyDiff, *, with_file_diffs: bool = False) -> str:
    """A pull-request comment."""
    out = [f"### streamfabric diff: {_md(diff.old)} → {_md(diff.new)}", "", f"**{_md(_headline(diff))}**", ""]
    if diff.empty:
        return "\n".join(out)
    for note in diff.notes:
        out.append(f"> ⚠️ {_md(note)}")
    if diff.notes:
        out.append("")
    out += ["#### Topology", ""] + [f"- {_md(describe_change(c))}" for c in diff.changes] + [""]
    if diff.flows:
        out += [
            "#### Flows",
            "",
            "| flow | region | what happens | restart | stream | needed |",
            "|---|---|---|---|---|---|",
        ]
        for f in diff.flows:
            out.append(
                f"| {_code(f.flow)} | {f.region} | **{f.action}**: {_md('; '.join(f.reasons))} | "
                f"{'yes' if f.restart else 'no'} | {'interrupted' if f.interrupts else 'continues'} | "
                f"{_md('; '.join(f.actions_needed)) or '-'} |"
            )
        out.append("")
    out += ["#### Stacks", ""]
    if diff.stacks:
        out += ["| action | stack | region | why |", "|---|---|---|---|"]
        out += [
            f"| **{s.action}** | {_code(s.name)} | {s.region} | {_md('; '.join(s.reasons))} |"
            for s in diff.stacks
        ]
    else:
        out.append("No stack changes.")
    out.append("")
    if diff.terraform:
        out += ["#### Terraform (network)", ""] + [f"- {_md(line)}" for line in diff.terraform] + [""]
    out += ["#### Rendered files", ""]
    if diff.files is None:
        out.append(f"_{_md(diff.files_note)}_")
    elif not diff.files:
        out.append("No rendered file changes.")
    else:
        out += [f"- {fc.status}: {_code(fc.path)}" for fc in diff.files]
        if with_file_diffs:
            for fc in diff.files:
                fence = "````" if "```" in fc.diff else "```"
                out += [
                    "",
                    f"<details><summary>{_md(fc.path)}</summary>",
                    "",
                    f"{fence}diff",
                    fc.diff.rstrip("\n"),
                    fence,
                    "",
                    "</details>",
                ]
    out.append("")
    return "\n".join(out)


def format_text(diff: TopologyDiff, *, with_file_diffs: bool = False) -> str:
    """The same for a terminal."""
    out = [f"{diff.old} -> {diff.new}: {_headline(diff)}"]
    if diff.empty:
        return out[0] + "\n"
    out += [f"warning: {note}" for note in diff.notes]
    out += ["", "topology:"] + [f"  {describe_change(c)}" for c in diff.changes]
    if diff.flows:
        out += ["", "flows:"]
        for f in diff.flows:
            flags = [w for w, on in (("restart", f.restart), ("stream interrupted", f.interrupts)) if on]
            out.append(
                f"  {f.action:<8} {f.flow} ({f.region}){' [' + ', '.join(flags) + ']' if flags else ''}"
            )
            out += [f"           {reason}" for reason in f.reasons]
            out += [f"           needed: {need}" for need in f.actions_needed]
    out += ["", "stacks:"]
    out += [f"  {s.action:<8} {s.name} ({s.region}): {'; '.join(s.reasons)}" for s in diff.stacks] or [
        "  none"
    ]
    if diff.terraform:
        out += ["", "terraform (network):"] + [f"  {line}" for line in diff.terraform]
    out += ["", "rendered files:"]
    if diff.files is None:
        out.append(f"  {diff.files_note}")
    else:
        out += [f"  {fc.status:<8} {fc.path}" for fc in diff.files] or ["  none"]
        if with_file_diffs:
            out += ["", *(fc.diff.rstrip("\n") for fc in diff.files)]
    return "\n".join(out) + "\n"
