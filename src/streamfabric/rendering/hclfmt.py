"""A small HCL formatter: the whitespace rules of ``terraform fmt`` that our templates need.

Terraform is not available where streamfabric renders, yet the rendered files must already be in
``terraform fmt`` canonical form (``terraform fmt -check`` clean). This module reproduces the parts
of hclwrite's formatter (``hclwrite/format.go``) that decide *layout*:

- indentation: two spaces per open bracket level, computed per line from the net change of
  ``{ [ ( ${ %{`` and their closers, with hclwrite's "indent stack" for lines that open or close
  several brackets at once;
- the ``assign`` cell: in each run of consecutive lines that are single-line attributes
  (``key = value`` with balanced brackets), the ``=`` signs are aligned one column after the
  widest key; a blank line, a comment-only line, a block header or a line opening a multi-line
  value ends the run;
- the ``comment`` cell: trailing ``#``/``//`` comments of consecutive lines are aligned likewise.

It does not re-space tokens *within* an expression (``a=1`` inside an object stays as written):
the templates write expressions in canonical spacing. On top of fmt's rules it tidies what a
template engine leaves behind, all of which ``terraform fmt`` keeps as is: trailing spaces are
removed, runs of blank lines become one, blank lines at the start of the text, right after a line
that opens a block and right before a line that closes one are removed, and the text ends with
exactly one newline. Quoted strings, heredoc bodies and ``/* */`` comments are never changed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import RenderError

# Token kinds.
_NEWLINE = "newline"  # "\n" (ends a line)
_LINE_COMMENT = "line_comment"  # "# ..." or "// ..." up to (not including) the newline
_BLOCK_COMMENT = "block_comment"  # "/* ... */", possibly over several lines
_OPEN = "open"  # { [ ( and, inside templates, ${ %{
_CLOSE = "close"  # } ] ) and the } ending a template sequence
_EQUAL = "equal"  # a single "=" (not == <= >= != =>)
_QUOTE = "quote"  # the quote characters of a quoted template
_TEXT = "text"  # literal text inside a quoted template
_HEREDOC = "heredoc"  # "<<EOT" or "<<-EOT" through the closing marker (without the final newline)
_OTHER = "other"  # identifiers, numbers, operators, ...

_HEREDOC_START = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n")
_WORD = re.compile(r"[A-Za-z0-9_.\-]+|\S")


class HclFormatError(RenderError, ValueError):
    """The text is not HCL that this formatter can lay out (an unterminated string or heredoc).

    A RenderError, so the CLI reports it without a traceback (still a ValueError, as it was)."""

    kind = "hcl_format"


@dataclass(slots=True)
class _Token:
    kind: str
    start: int
    end: int

    @property
    def bracket(self) -> int:
        return 1 if self.kind == _OPEN else -1 if self.kind == _CLOSE else 0


@dataclass(slots=True)
class _Line:
    tokens: list[_Token] = field(default_factory=list)
    newline: bool = False  # the line ends with a newline
    lead: list[_Token] = field(default_factory=list)
    assign: list[_Token] = field(default_factory=list)
    comment: _Token | None = None
    indent: int = 0
    assign_pad: int = 1
    comment_pad: int = 1


def _tokenize(text: str) -> list[_Token]:
    """Split HCL text into the tokens that matter for layout."""
    tokens: list[_Token] = []
    # Mode stack: "S" inside a quoted template, "I" inside ${ or %{ (closed by "}"),
    # "B" inside an expression brace "{" (so that its "}" is not taken for the end of a template).
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if stack and stack[-1] == "S":
            if c == '"':
                tokens.append(_Token(_QUOTE, i, i + 1))
                stack.pop()
                i += 1
            elif c == "\n":
                raise HclFormatError(f"unterminated string at offset {i}")
            elif text.startswith(("${", "%{"), i):
                tokens.append(_Token(_OPEN, i, i + 2))
                stack.append("I")
                i += 2
            else:
                j = i
                while j < n and text[j] not in '"\n':
                    if text[j] == "\\":
                        j += 2
                        continue
                    if text.startswith(("$${", "%%{"), j):
                        j += 3
                        continue
                    if text.startswith(("${", "%{"), j):
                        break
                    j += 1
                tokens.append(_Token(_TEXT, i, min(j, n)))
                i = min(j, n)
            continue
        if c == "\n":
            tokens.append(_Token(_NEWLINE, i, i + 1))
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            tokens.append(_Token(_LINE_COMMENT, i, j))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise HclFormatError(f"unterminated comment at offset {i}")
            tokens.append(_Token(_BLOCK_COMMENT, i, j + 2))
            i = j + 2
        elif c == '"':
            tokens.append(_Token(_QUOTE, i, i + 1))
            stack.append("S")
            i += 1
        elif c in "([":
            tokens.append(_Token(_OPEN, i, i + 1))
            i += 1
        elif c == "{":
            tokens.append(_Token(_OPEN, i, i + 1))
            stack.append("B")
            i += 1
        elif c in ")]":
            tokens.append(_Token(_CLOSE, i, i + 1))
            i += 1
        elif c == "}":
            tokens.append(_Token(_CLOSE, i, i + 1))
            if stack and stack[-1] in "BI":
                stack.pop()
            i += 1
        elif c == "<" and (match := _HEREDOC_START.match(text, i)):
            marker = match.group(2)
            j = match.end()
            while True:
                eol = text.find("\n", j)
                line = text[j : n if eol < 0 else eol]
                if line.strip() == marker:
                    end = j + len(line.rstrip("\r"))
                    break
                if eol < 0:
                    raise HclFormatError(f"unterminated heredoc {marker} at offset {i}")
                j = eol + 1
            tokens.append(_Token(_HEREDOC, i, end))
            i = end
        elif c in "=!<>":
            two = text[i : i + 2]
            if two in ("==", "!=", "<=", ">=", "=>"):
                tokens.append(_Token(_OTHER, i, i + 2))
                i += 2
            else:
                tokens.append(_Token(_EQUAL if c == "=" else _OTHER, i, i + 1))
                i += 1
        else:
            match = _WORD.match(text, i)
            assert match is not None
            tokens.append(_Token(_OTHER, i, match.end()))
            i = match.end()
    if stack and "S" in stack:
        raise HclFormatError("unterminated string at end of text")
    return tokens


def _split_lines(tokens: list[_Token]) -> list[_Line]:
    lines: list[_Line] = [_Line()]
    for token in tokens:
        if token.kind == _NEWLINE:
            lines[-1].newline = True
            lines.append(_Line())
        else:
            lines[-1].tokens.append(token)
    if not lines[-1].tokens and not lines[-1].newline:
        lines.pop()
    return lines


def _cells(line: _Line) -> None:
    """hclwrite's linesForFormat: split a line into lead / assign / comment cells."""
    lead = list(line.tokens)
    if len(lead) > 1 and lead[-1].kind == _LINE_COMMENT:
        line.comment = lead.pop()
    for index, token in enumerate(lead):
        if index > 0 and token.kind == _EQUAL:
            if sum(t.bracket for t in lead[index:]) == 0:
                line.assign = lead[index:]
                lead = lead[:index]
            break
    line.lead = lead


def _indent(lines: list[_Line]) -> None:
    """hclwrite's formatIndent: indentation from the net bracket change of each line."""
    indents: list[int] = []
    for line in lines:
        if not line.tokens:
            continue
        net = 0
        for token in line.lead:
            net += token.bracket
            if token.kind == _HEREDOC:
                break
        net += sum(t.bracket for t in line.assign)
        if net < 0:
            closed = -net
            while closed > 0 and indents:
                if closed > indents[-1]:
                    closed -= indents.pop()
                elif closed < indents[-1]:
                    indents[-1] -= closed
                    closed = 0
                else:
                    indents.pop()
                    closed = 0
        line.indent = 2 * len(indents)
        if net > 0:
            indents.append(net)


def columns(text: str) -> int:
    """Width of ``text`` in grapheme clusters (approximated: combining marks, variation selectors
    and zero-width joiners, and the character after a joiner, add no column; a pair of regional
    indicators counts once), as hclwrite measures cells."""
    count = 0
    joined = False
    regional = False
    for char in text:
        code = ord(char)
        if joined:
            joined = False
            continue
        if char == "\u200d":
            joined = True
            continue
        if unicodedata.category(char) in ("Mn", "Me", "Mc") or 0xFE00 <= code <= 0xFE0F:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            if regional:
                regional = False
                continue
            regional = True
        else:
            regional = False
        count += 1
    return count


def _join(text: str, tokens: list[_Token]) -> str:
    return text[tokens[0].start : tokens[-1].end] if tokens else ""


def _assign_text(text: str, assign: list[_Token]) -> str:
    rest = assign[1:]
    return "=" + (" " + text[rest[0].start : rest[-1].end] if rest else "")


def _align(text: str, lines: list[_Line]) -> None:
    """hclwrite's formatCells: align "=" then trailing comments over runs of consecutive lines."""
    run: list[_Line] = []

    def close_assign() -> None:
        widest = max(line.indent + columns(_join(text, line.lead)) for line in run)
        for line in run:
            line.assign_pad = widest - (line.indent + columns(_join(text, line.lead))) + 1
        run.clear()

    for line in lines:
        if line.assign:
            run.append(line)
        elif run:
            close_assign()
    if run:
        close_assign()

    def width(line: _Line) -> int:
        total = line.indent + columns(_join(text, line.lead))
        if line.assign:
            total += line.assign_pad + columns(_assign_text(text, line.assign))
        return total

    def close_comment() -> None:
        widest = max(width(line) for line in run)
        for line in run:
            line.comment_pad = widest - width(line) + 1
        run.clear()

    for line in lines:
        if line.comment is not None:
            run.append(line)
        elif run:
            close_comment()
    if run:
        close_comment()


def _tidy(text: str, lines: list[_Line]) -> list[_Line]:
    """Drop blank lines at the start, repeated ones, and those just inside a block's brackets."""
    kept: list[_Line] = []
    for line in lines:
        blank = not line.tokens
        if blank and (not kept or not kept[-1].tokens or _opens(kept[-1])):
            continue
        if not blank and kept and not kept[-1].tokens and line.tokens[0].kind == _CLOSE:
            kept.pop()
        kept.append(line)
    while kept and not kept[-1].tokens:
        kept.pop()
    return kept


def _opens(line: _Line) -> bool:
    net = 0
    for token in line.tokens:
        net += token.bracket
        if token.kind == _HEREDOC:
            break
    return net > 0


def format_hcl(text: str) -> str:
    """``text`` laid out as ``terraform fmt`` would, tidied, with exactly one trailing newline."""
    lines = _tidy(text, _split_lines(_tokenize(text)))
    for line in lines:
        _cells(line)
    _indent(lines)
    _align(text, lines)
    out: list[str] = []
    for line in lines:
        if not line.tokens:
            out.append("\n")
            continue
        parts = [" " * line.indent, _join(text, line.lead)]
        if line.assign:
            parts += [" " * line.assign_pad, _assign_text(text, line.assign)]
        if line.comment is not None:
            parts += [" " * line.comment_pad, text[line.comment.start : line.comment.end].rstrip()]
        out.append("".join(parts).rstrip(" \t") + "\n")
    return "".join(out)


__all__ = ["HclFormatError", "columns", "format_hcl"]
