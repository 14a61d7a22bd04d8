"""Splitting stage scripts: quoting, comments, separators, locations, placeholders."""

import pytest

from edapipe.batch.script import split, substitute
from edapipe.errors import InputError


def words(text):
    return [s.words for s in split(text)]


def test_semicolons_and_new_lines_separate_stages():
    assert words("read x.v; opt resyn2;cec x.v\nwrite x_opt.blif") == [
        ("read", "x.v"), ("opt", "resyn2"), ("cec", "x.v"), ("write", "x_opt.blif")]


def test_quotes_keep_semicolons_and_spaces():
    assert words("opt 'b; rw; rf'; write \"out dir/x.aig\"") == [
        ("opt", "b; rw; rf"), ("write", "out dir/x.aig")]
    assert words(r'a "x\"y" b\ c') == [("a", 'x"y', "b c")]


def test_comments_blank_lines_and_continuations():
    text = "# a script\n\nread x.aig   # the design\nopt \\\n  resyn2\n;;\n"
    assert words(text) == [("read", "x.aig"), ("opt", "resyn2")]
    assert words("stats a#b") == [("stats", "a#b")]      # '#' inside a word is a letter


def test_stages_are_located():
    stages = split("read x.aig\n  opt 'b;\nrw'; stats")
    assert [(s.line, s.column) for s in stages] == [(1, 1), (2, 3), (3, 6)]
    assert stages[1].words == ("opt", "b;\nrw")


def test_unclosed_quote_is_a_located_error():
    with pytest.raises(InputError) as err:
        split("read x.aig\nopt 'b; rw", "flow.eda")
    assert str(err.value) == "flow.eda:2:5: unclosed ' quote"


def test_placeholders_are_filled_per_word():
    stages = substitute(split("read {input}; write out/{stem}.blif; cec {dir}/{name}"),
                        "bench/c17.bench")
    assert [s.words for s in stages] == [("read", "bench/c17.bench"),
                                         ("write", "out/c17.blif"),
                                         ("cec", "bench/c17.bench")]
