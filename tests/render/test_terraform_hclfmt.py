"""The layout formatter against cases whose ``terraform fmt`` output is known.

The first table is hclwrite's own format tests (``hashicorp/hcl``, ``hclwrite/format_test.go``):
input and the output ``terraform fmt`` produces, restricted to the cases about layout (indentation,
alignment of ``=`` and of trailing comments); the cases about spacing *inside* expressions are not
reproduced here, and neither are the leading blank lines of those inputs (our tidy step drops them).
"""

from __future__ import annotations

import re

import pytest

from streamfabric.rendering.hclfmt import HclFormatError, columns, format_hcl

HCLWRITE_CASES = [
    ("a = 1\n", "a = 1\n"),
    ("a = 1\nbungle = 2\n", "a      = 1\nbungle = 2\n"),
    ("a = 1\n\nbungle = 2\n", "a = 1\n\nbungle = 2\n"),
    ("a = 1 # foo\nbungle = 2\n", "a      = 1 # foo\nbungle = 2\n"),
    ('a = 1 # foo\nbungle = "bonce" # baz\n', 'a      = 1       # foo\nbungle = "bonce" # baz\n'),
    (
        '# here we go\na = 1 # foo\nbungle = "bonce" # baz\n',
        '# here we go\na      = 1       # foo\nbungle = "bonce" # baz\n',
    ),
    (
        'foo {} # here we go\na = 1 # foo\nbungle = "bonce" # baz\n',
        'foo {}           # here we go\na      = 1       # foo\nbungle = "bonce" # baz\n',
    ),
    (
        'a = 1 # foo\nbungle = "bonce" # baz\nzebra = "striped" # baz\n',
        'a      = 1         # foo\nbungle = "bonce"   # baz\nzebra  = "striped" # baz\n',
    ),
    (
        'a = 1 # foo\nbungle = (\n    "bonce"\n) # baz\nzebra = "striped" # baz\n',
        'a = 1 # foo\nbungle = (\n  "bonce"\n)                 # baz\nzebra = "striped" # baz\n',
    ),
    (
        '\U0001d49c = 1 # foo\nbungle = "\U0001f1ec\U0001f1e7" # baz\nzebra = "striped" # baz\n',
        '\U0001d49c      = 1         # foo\nbungle = "\U0001f1ec\U0001f1e7"       # baz\n'
        'zebra  = "striped" # baz\n',
    ),
    ("b {\na = 1\n}\n", "b {\n  a = 1\n}\n"),
    ("foo {\n# ...\n}\n", "foo {\n  # ...\n}\n"),
    ("foo = {\n# ...\n}\n", "foo = {\n  # ...\n}\n"),
    ("foo = [\n# ...\n]\n", "foo = [\n  # ...\n]\n"),
    ("foo = [{\n# ...\n}]\n", "foo = [{\n  # ...\n}]\n"),
    ("foo {\nbar {\n# ...\n}\n}\n", "foo {\n  bar {\n    # ...\n  }\n}\n"),
    ("foo {\nbar = {\n# ...\n}\n}\n", "foo {\n  bar = {\n    # ...\n  }\n}\n"),
    ("foo {\nbar = [\n# ...\n]\n}\n", "foo {\n  bar = [\n    # ...\n  ]\n}\n"),
    ("[\n[\na\n]\n]\n", "[\n  [\n    a\n  ]\n]\n"),
    ("[[\na\n]]\n", "[[\n  a\n]]\n"),
    ("[[\n[\na\n]\n]]\n", "[[\n  [\n    a\n  ]\n]]\n"),
    # degenerate case with asymmetrical brackets
    ("[[\n[\na\n]]\n]\n", "[[\n  [\n    a\n  ]]\n]\n"),
    ('"${\nhello\n}"\n', '"${\n  hello\n}"\n'),
    ("foo(\n1,\n-2,\na * b,\n)\n", "foo(\n  1,\n  -2,\n  a * b,\n)\n"),
]


@pytest.mark.parametrize(("source", "expected"), HCLWRITE_CASES)
def test_hclwrite_cases_succeed(source: str, expected: str) -> None:
    assert format_hcl(source) == expected


# Canonical Terraform as `terraform fmt` writes it (the style of the Terraform documentation).
CANONICAL = """\
# A comment
resource "aws_instance" "web" {
  #checkov:skip=CKV_AWS_8:reason with = signs and { braces
  ami           = "ami-123"
  instance_type = "t3.micro"
  tags = {
    Name                 = "web"
    "streamfabric:topo"  = "x = { y }"
    "with \\"quote\\" key" = "${var.a == 1 ? "b" : "c"}"
  }

  ebs_block_device {
    device_name = "/dev/sdh"
    volume_size = 8
  }
  user_data = <<-EOT
    a   = 1
      bb = 2
  EOT
  count     = 1
}

locals {
  a    = { x = 1, yy = 2 }
  long = [for k, v in var.m : k => v if v != null]
  list = [
    "a",
    "b",
  ]
}
"""


def test_canonical_text_is_a_fixed_point_succeeds() -> None:
    assert format_hcl(CANONICAL) == CANONICAL


def test_reindents_and_realigns_succeeds() -> None:
    # Every line flush left, one space around every "=": fmt restores indentation and alignment.
    messy = "\n".join(re.sub(r"\s+= ", " = ", line.strip()) for line in CANONICAL.splitlines()) + "\n"
    out = format_hcl(messy)
    heredoc = slice(16, 19)  # the heredoc body and end marker are kept verbatim (here: as messed up)
    assert out.splitlines()[heredoc] == ["a = 1", "bb = 2", "EOT"]
    expected = CANONICAL.splitlines()
    del expected[heredoc]
    got = out.splitlines()
    del got[heredoc]
    assert got == expected
    assert format_hcl(out) == out


def test_equals_inside_strings_and_operators_are_not_assignments_succeeds() -> None:
    text = 'x = "a = b"\nlonger_name = var.a == var.b\ny = { k = 1 }\n'
    assert (
        format_hcl(text) == 'x           = "a = b"\nlonger_name = var.a == var.b\ny           = { k = 1 }\n'
    )


def test_a_multiline_value_ends_the_alignment_run_succeeds() -> None:
    text = "a = 1\nlong_name = {\nb = 2\n}\nc = 3\ndd = 4\n"
    assert format_hcl(text) == "a = 1\nlong_name = {\n  b = 2\n}\nc  = 3\ndd = 4\n"


def test_comment_line_ends_the_alignment_run_succeeds() -> None:
    text = "a = 1\n# note\nlong_name = 2\n"
    assert format_hcl(text) == text


def test_tidy_blank_lines_and_trailing_space_succeeds() -> None:
    text = "\n\n# head   \n\n\n\nblock {\n\n  a = 1   \n\n\n  b = 2\n\n}\n\n\n"
    assert format_hcl(text) == "# head\n\nblock {\n  a = 1\n\n  b = 2\n}\n"


def test_escaped_template_sequences_do_not_open_brackets_succeeds() -> None:
    text = 'x = "$${a} %%{b} \\" \\\\"\nyy = 1\n'
    assert format_hcl(text) == 'x  = "$${a} %%{b} \\" \\\\"\nyy = 1\n'


def test_ends_with_exactly_one_newline_succeeds() -> None:
    assert format_hcl("a = 1") == "a = 1\n"
    assert format_hcl("a = 1\n\n\n") == "a = 1\n"


def test_columns_count_grapheme_clusters_succeeds() -> None:
    assert columns("abc") == 3
    assert columns("e\u0301") == 1  # e + combining acute accent
    assert columns("\U0001f1ec\U0001f1e7") == 1  # a flag: two regional indicators
    assert columns("\U0001f468\u200d\U0001f469") == 1  # a ZWJ sequence


@pytest.mark.parametrize("text", ['a = "unterminated\n', "a = <<EOT\nno end\n", "/* open"])
def test_malformed_text_fails(text: str) -> None:
    with pytest.raises(HclFormatError):
        format_hcl(text)
