"""The learner edition: solutions out, everything else kept, a valid notebook every time."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from lcmodules.transform.learner import (
    LEARNER_PREPROCESSORS,
    learner_markdown,
    learner_notebook,
    notebook_bytes,
    replace_solution_lines,
)

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = new_notebook(cells=list(cells), metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"c{number}"
    nbformat.validate(nb)
    return nb


def stream(text: str) -> nbformat.NotebookNode:
    return new_output("stream", name="stdout", text=text)


def sources(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells]


# ---------------------------------------------------------------- code solutions


def test_solution_region_becomes_the_nbgrader_stub() -> None:
    src = "x = 1\n### BEGIN SOLUTION\ny = x + 41\n### END SOLUTION\nprint(y)"
    assert replace_solution_lines(src) == f"x = 1\n{STUB}\nprint(y)"


def test_stub_keeps_the_indentation_of_the_begin_line() -> None:
    src = (
        "def f(xs):\n"
        "    for x in xs:\n"
        "        ### BEGIN SOLUTION\n"
        "        if x > 2:\n"
        "            return x\n"
        "        ### END SOLUTION\n"
        "    return None\n"
    )
    assert replace_solution_lines(src) == (
        "def f(xs):\n"
        "    for x in xs:\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "    return None\n"
    )


def test_empty_solution_still_gets_the_stub() -> None:
    assert replace_solution_lines("### BEGIN SOLUTION\n### END SOLUTION") == STUB


def test_marker_lines_may_have_surrounding_whitespace_and_trailing_text() -> None:
    src = "  ### BEGIN SOLUTION  \n  secret()\n\t### END SOLUTION\t\nkept()"
    assert replace_solution_lines(src) == f"  {STUB.replace(chr(10), chr(10) + '  ')}\nkept()"


def test_marker_inside_a_string_literal_is_not_a_marker() -> None:
    src = 'print("### BEGIN SOLUTION")\nanswer = 42\nprint("### END SOLUTION")'
    assert replace_solution_lines(src) == src


def test_two_regions_in_one_cell() -> None:
    src = "### BEGIN SOLUTION\na = 1\n### END SOLUTION\nmid()\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION"
    assert replace_solution_lines(src) == f"{STUB}\nmid()\n{STUB}"


def test_unclosed_region_hides_everything_after_it() -> None:
    assert replace_solution_lines("keep()\n### BEGIN SOLUTION\nsecret()\nmore_secret()") == f"keep()\n{STUB}"


def test_code_cell_outputs_and_count_cleared_only_where_code_changed() -> None:
    nb = notebook(
        new_code_cell("### BEGIN SOLUTION\nprint(42)\n### END SOLUTION", execution_count=1,
                      outputs=[stream("42\n")]),
        new_code_cell("print('plain')", execution_count=2, outputs=[stream("plain\n")]),
    )
    out = learner_notebook(nb)
    solution, plain = out.cells
    assert solution.source == STUB
    assert solution.outputs == [] and solution.execution_count is None
    assert plain.outputs[0].text == "plain\n" and plain.execution_count == 2


def test_begin_marker_in_markdown_is_left_alone() -> None:
    text = "In code you write:\n\n```python\n### BEGIN SOLUTION\n```"
    nb = notebook(new_markdown_cell(text))
    assert learner_notebook(nb).cells[0].source == text


def test_raw_cells_are_left_alone() -> None:
    nb = notebook(new_raw_cell("### BEGIN SOLUTION\nraw\n### END SOLUTION"))
    assert sources(learner_notebook(nb)) == sources(nb)


# ---------------------------------------------------------------- markdown solutions


def test_markdown_solution_block_removed_from_a_cell() -> None:
    nb = notebook(new_markdown_cell("Question?\n<!-- BEGIN SOLUTION -->\nThe answer is 42.\n<!-- END SOLUTION -->\nBye."))
    assert learner_notebook(nb).cells[0].source == "Question?\nBye."


def test_markdown_cell_with_only_a_solution_is_removed() -> None:
    nb = notebook(new_markdown_cell("<!-- BEGIN SOLUTION -->\nAll answer.\n<!-- END SOLUTION -->"),
                  new_markdown_cell("Stays."))
    assert sources(learner_notebook(nb)) == ["Stays."]


def test_markdown_page_solutions_removed() -> None:
    page = "# Case\n\nText.\n\n  <!-- BEGIN SOLUTION -->\nsecret\n\n  more secret\n<!-- END SOLUTION -->\n\nEnd.\n"
    assert learner_markdown(page) == "# Case\n\nText.\n\n\nEnd.\n"
    assert learner_markdown(page, "teacher") == page


def test_markdown_marker_in_inline_text_is_not_a_marker() -> None:
    page = "Write `<!-- BEGIN SOLUTION -->` above your answer.\n"
    assert learner_markdown(page) == page


# ---------------------------------------------------------------- tags


@pytest.mark.parametrize("tag", ["solution", "remove-cell"])
def test_tagged_cells_removed_with_their_outputs(tag: str) -> None:
    nb = notebook(
        new_code_cell("print('secret')", metadata={"tags": [tag]}, execution_count=1, outputs=[stream("secret\n")]),
        new_markdown_cell("Answer in prose.", metadata={"tags": [tag]}),
        new_code_cell("print('kept')"),
    )
    out = learner_notebook(nb)
    assert sources(out) == ["print('kept')"]
    assert "secret" not in notebook_bytes(out).decode()


def test_remove_output_clears_outputs_and_keeps_the_code() -> None:
    nb = notebook(new_code_cell("print(1)", metadata={"tags": ["remove-output"]}, execution_count=3,
                                outputs=[stream("1\n")]))
    cell = learner_notebook(nb).cells[0]
    assert cell.source == "print(1)" and cell.outputs == [] and cell.execution_count is None
    assert cell.metadata.tags == ["remove-output"]


def test_remove_input_keeps_outputs_source_and_tag() -> None:
    """The renderer shows only the outputs; the tag tells Jupyter Book to hide the input."""
    nb = notebook(new_code_cell("plot()", metadata={"tags": ["remove-input"]}, execution_count=4,
                                outputs=[stream("a plot\n")]))
    cell = learner_notebook(nb).cells[0]
    assert cell.metadata.tags == ["remove-input"]
    assert cell.outputs[0].text == "a plot\n" and cell.execution_count == 4


@pytest.mark.parametrize("tag", ["hide-input", "hide-output"])
def test_hide_tags_are_kept_untouched(tag: str) -> None:
    nb = notebook(new_code_cell("x", metadata={"tags": [tag]}, execution_count=1, outputs=[stream("x\n")]))
    assert learner_notebook(nb) == nb


def test_solution_tag_wins_over_other_tags() -> None:
    nb = notebook(new_code_cell("secret()", metadata={"tags": ["hide-input", "solution"]}))
    assert learner_notebook(nb).cells == []


# ---------------------------------------------------------------- the whole notebook


def teacher_notebook() -> nbformat.NotebookNode:
    return notebook(
        new_markdown_cell("# Title\n<!-- BEGIN SOLUTION -->\nsecret prose\n<!-- END SOLUTION -->"),
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", execution_count=1,
                      outputs=[new_output("execute_result", execution_count=1, data={"text/plain": "1"})]),
        new_code_cell("f()", metadata={"tags": ["solution"]}),
        new_code_cell("shown()", metadata={"tags": ["remove-input"]}, execution_count=2, outputs=[stream("out\n")]),
    )


def test_result_is_valid_nbformat_4_with_ids_and_minor_kept() -> None:
    nb = teacher_notebook()
    out = learner_notebook(nb)
    nbformat.validate(out)
    assert out.nbformat == 4 and out.nbformat_minor == nb.nbformat_minor
    assert [c.id for c in out.cells] == ["c0", "c1", "c3"]
    reread = nbformat.reads(notebook_bytes(out).decode(), as_version=4)
    nbformat.validate(reread)


def test_notebook_without_cell_ids_stays_valid() -> None:
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [nbformat.from_dict({"cell_type": "code", "metadata": {}, "source": "### BEGIN SOLUTION\nx\n### END SOLUTION",
                                    "outputs": [], "execution_count": None})]
    nbformat.validate(nb)
    out = learner_notebook(nb)
    nbformat.validate(out)
    assert "id" not in out.cells[0]


def test_loaded_notebook_is_never_changed() -> None:
    nb = teacher_notebook()
    before = copy.deepcopy(nb)
    learner_notebook(nb)
    learner_notebook(nb, "teacher")
    assert nb == before


def test_teacher_edition_is_an_unchanged_copy() -> None:
    nb = teacher_notebook()
    out = learner_notebook(nb, "teacher")
    assert out == nb and out is not nb


def test_output_is_deterministic_and_ends_with_a_newline() -> None:
    first = notebook_bytes(learner_notebook(teacher_notebook()))
    second = notebook_bytes(learner_notebook(teacher_notebook()))
    assert first == second and first.endswith(b"}\n")
    assert json.loads(first)["nbformat"] == 4


def test_preprocessors_are_small_named_steps_in_order() -> None:
    names = [step.__name__ for step in LEARNER_PREPROCESSORS]
    assert names.index("remove_tagged_cells") < names.index("replace_code_solutions") < names.index(
        "clear_changed_cells")
    assert all(step.__doc__ for step in LEARNER_PREPROCESSORS)
