"""IMS Common Cartridge 1.1: schema and Schematron validity, QTI mapping, learner edition only,
reproducibility, stable identifiers, pages without script, and `inspect` on cartridges."""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

CC = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
NS = {"cp": CC, "q": QTI, "lom": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"}
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"

QUIZ = """\
title: Toets van de oven
mastery_score: 0.6
questions:
  - id: metriek
    type: single
    prompt: Welke *metriek* past bij $x^2$?
    choices:
      - text: Accuracy
        feedback: Niet bij zeldzame storingen.
      - text: Recall
        correct: true
      - text: Precisie
    feedback: Recall telt de gemiste storingen.
  - id: genoeg
    type: true-false
    prompt: Is 99 % genoeg?
    answer: false
  - id: kenmerken
    type: multiple
    prompt: Welke kloppen?
    points: 2
    choices:
      - text: A
        correct: true
      - text: B
      - text: C
        correct: true
  - id: model
    type: text
    prompt: Welk model?
    answers: [Random Forest, randomforest]
  - id: gemiddelde
    type: numeric
    prompt: Wat is het gemiddelde?
    answer: 2.5
"""


def write_module(root: Path, version: str = "1.0.0", quiz: str = QUIZ) -> Path:
    folder = root / "oven"
    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    (folder / "module.yml").write_text(
        f"id: lc-test/oven\ntitle: De oven\nversion: {version}\nlanguage: nl\n"
        "summary: Een module voor de tests.\nauthors:\n  - name: T. Ester\n"
        "license: CC-BY-4.0\nstudy_load_hours: 3\nlearning_objectives: [Je kunt een drempel "
        "kiezen.]\ncontents:\n  - case.md\n  - notebooks/verkennen.ipynb\n  - toets.quiz.yml\n",
        encoding="utf-8")
    (folder / "case.md").write_text(
        "# De casus\n\nEen bakkerij met een oven, $a^2 + b^2$.\n\nMaak daarna "
        "[de toets](toets.quiz.yml).\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Verkennen\n\nKijk naar de data."),
                nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\ngeheime_oplossing = 42\n"
                                          "### END SOLUTION\nprint(x)")]
    nbformat.write(nb, folder / "notebooks" / "verkennen.ipynb")
    (folder / "toets.quiz.yml").write_text(quiz, encoding="utf-8")
    return folder


def build(folder: Path, out: Path, edition: str = "learner") -> list[Path]:
    from lcmodules.build import run_build
    from lcmodules.export.registry import BuildOptions

    courses = scormtest.load(folder)
    options = BuildOptions(out=out, edition=edition, formats=["imscc"])  # type: ignore[arg-type]
    return run_build(courses, options, use_cache=False).artifacts


def read(cartridge: Path, name: str = "imsmanifest.xml") -> bytes:
    with zipfile.ZipFile(cartridge) as zf:
        return zf.read(name)


def quiz_docs(cartridge: Path) -> list[etree._Element]:
    manifest = etree.fromstring(read(cartridge))
    files = [r.find("cp:file", NS).get("href")
             for r in manifest.iterfind(".//cp:resource", NS) if r.get("type") == ASSESSMENT]
    return [etree.fromstring(read(cartridge, f)) for f in files]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example course's cartridges: one per module and the course's."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy2(scormtest.REPO / "_config.yml", root / "_config.yml")
    shutil.copytree(scormtest.REPO / "modules", root / "modules")
    paths = build(root, tmp_path_factory.mktemp("dist"))
    return {p.name: p for p in paths}


@pytest.fixture(scope="module")
def oven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("src")
    [path] = build(write_module(root), tmp_path_factory.mktemp("out"))
    return path


# ---------------------------------------------------------------- the example course


def test_example_cartridges_are_valid(example: dict[str, Path], schemas_dir: Path) -> None:
    from lcmodules.inspect.cartridge import MANIFEST_RULES, QTI_RULES, schematron_failures

    names = sorted(example)
    assert names == ["email-triage-1.0.0-imscc.imscc", "lc-ai-modules-imscc.imscc",
                     "visual-quality-control-1.0.0-imscc.imscc",
                     "voorspellend-onderhoud-1.0.0-imscc.imscc"]
    parser = etree.XMLParser(no_network=True)
    manifest_xsd = etree.XMLSchema(etree.parse(str(schemas_dir / "cc11/cc11libxml2validator.xsd"),
                                               parser))
    qti_xsd = etree.XMLSchema(etree.parse(str(schemas_dir / "cc11/ccv1p1_qtiasiv1p2p1_v1p0.xsd"),
                                          parser))
    for cartridge in example.values():
        manifest = etree.fromstring(read(cartridge))
        assert manifest_xsd.validate(manifest), (cartridge.name, manifest_xsd.error_log)
        rules = tuple(str(schemas_dir / r) for r in MANIFEST_RULES)
        assert schematron_failures(manifest, rules) == [], cartridge.name
        quizzes = quiz_docs(cartridge)
        assert quizzes
        for doc in quizzes:
            assert qti_xsd.validate(doc), (cartridge.name, qti_xsd.error_log)
            rules = tuple(str(schemas_dir / r) for r in QTI_RULES)
            assert schematron_failures(doc, rules) == [], cartridge.name


def test_schematron_rules_catch_profile_violations(example: dict[str, Path],
                                                   schemas_dir: Path) -> None:
    """The extracted rules really run: a single-choice item with two choices breaks rule 4d."""
    from lcmodules.inspect.cartridge import QTI_RULES, schematron_failures

    doc = quiz_docs(example["email-triage-1.0.0-imscc.imscc"])[0]
    item = next(i for i in doc.iter(f"{{{QTI}}}item") if "multiple_choice" in etree.tostring(i).decode())
    labels = item.findall(".//q:response_label", NS)
    for label in labels[2:]:
        label.getparent().remove(label)
    failures = schematron_failures(doc, tuple(str(schemas_dir / r) for r in QTI_RULES))
    assert any("RULE 4d" in f for f in failures), failures


def test_moodle_detects_cc11_and_no_canvas_marker(example: dict[str, Path]) -> None:
    for cartridge in example.values():
        head = read(cartridge)[:1024]
        assert f'xmlns="{CC}"'.encode() in head, cartridge.name
        with zipfile.ZipFile(cartridge) as zf:
            names = zf.namelist()
        assert not any("non_cc_assessments" in n or "canvas_export" in n for n in names)


def test_course_cartridge_has_one_item_per_module_in_course_order(example: dict[str, Path]) -> None:
    manifest = etree.fromstring(read(example["lc-ai-modules-imscc.imscc"]))
    top = manifest.find("cp:organizations/cp:organization/cp:item", NS)
    titles = [i.findtext("cp:title", namespaces=NS) for i in top.iterfind("cp:item", NS)]
    assert titles == ["Voorspellend onderhoud in een mkb-bakkerij",
                      "Visual quality control at a greenhouse grower",
                      "Triage of customer e-mail at an installation company"]
    ids = [e.get("identifier") for e in manifest.iter() if e.get("identifier")]
    assert len(ids) == len(set(ids))


def test_only_the_learner_edition_is_inside(example: dict[str, Path], tmp_path: Path) -> None:
    from lcmodules.load.markers import CODE_BEGIN, CODE_END

    solutions: set[str] = set()
    given: set[str] = set()  # lines learners get anyway (on a page, or a helper handed out later)
    for path in (scormtest.REPO / "modules").glob("*/notebooks/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if CODE_BEGIN in line:
                    inside = True
                elif CODE_END in line:
                    inside = False
                elif len(line.strip()) > 15:
                    (solutions if inside else given).add(line.strip())
    for page in (scormtest.REPO / "modules").glob("*/*.md"):
        given.update(line.strip() for line in page.read_text(encoding="utf-8").splitlines())
    solutions -= given
    assert len(solutions) > 5
    for cartridge in example.values():
        text = all_text(cartridge)
        leaked = [s for s in solutions if s in text]
        assert not leaked, (cartridge.name, leaked[:3])


def all_text(cartridge: Path) -> str:
    """Every text file of the zip as readable text: tags dropped, entities and JSON undone."""
    parts = []
    with zipfile.ZipFile(cartridge) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".ipynb"):
                nb = json.loads(data)
                parts += ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                          for c in nb["cells"]]
            elif name.endswith((".html", ".xml", ".css", ".csv", ".svg", ".txt", ".md")):
                parts.append(html.unescape(re.sub(r"<[^>]+>", "", data.decode("utf-8"))))
    return "\n".join(parts)


def test_teacher_edition_would_show_the_solution(tmp_path: Path) -> None:
    """The grep above can fail: the same check finds the solution in a teacher build."""
    folder = write_module(tmp_path / "src")
    [learner] = build(folder, tmp_path / "learner")
    [teacher] = build(folder, tmp_path / "teacher", edition="teacher")
    assert "geheime_oplossing" not in all_text(learner)
    assert "geheime_oplossing" in all_text(teacher)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    folder = write_module(tmp_path / "src")
    [first] = build(folder, tmp_path / "a")
    [second] = build(folder, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


# ---------------------------------------------------------------- one module, every type


def items(cartridge: Path) -> dict[str, etree._Element]:
    [doc] = quiz_docs(cartridge)
    return {i.get("title"): i for i in doc.iter(f"{{{QTI}}}item")}


def field(item: etree._Element, label: str) -> str | None:
    for f in item.iterfind(".//q:qtimetadatafield", NS):
        if f.findtext("q:fieldlabel", namespaces=NS) == label:
            return f.findtext("q:fieldentry", namespaces=NS)
    return None


def scored(item: etree._Element) -> list[etree._Element]:
    return [c for c in item.iterfind(".//q:respcondition", NS)
            if c.findtext("q:setvar", namespaces=NS) == "100"]


def test_question_types_map_to_the_cc_profile(oven: Path) -> None:
    found = items(oven)
    profile = {k: field(v, "cc_profile") for k, v in found.items()}
    assert profile == {"metriek": "cc.multiple_choice.v0p1", "genoeg": "cc.true_false.v0p1",
                       "kenmerken": "cc.multiple_response.v0p1", "model": "cc.fib.v0p1",
                       "gemiddelde": "cc.fib.v0p1"}
    assert field(found["kenmerken"], "cc_weighting") == "2"
    assert field(found["metriek"], "cc_weighting") == "1"
    [doc] = quiz_docs(oven)
    assessment = doc.find("q:assessment", NS)
    assert assessment.get("title") == "Toets van de oven"


def test_choice_answers_and_feedback(oven: Path) -> None:
    found = items(oven)
    single = found["metriek"]
    labels = [lb.get("ident") for lb in single.iterfind(".//q:response_label", NS)]
    assert labels == ["c0", "c1", "c2"]
    [right] = scored(single)
    assert right.findtext("q:conditionvar/q:varequal", namespaces=NS) == "c1"
    prompt = single.findtext("q:presentation/q:material/q:mattext", namespaces=NS)
    assert "<em>metriek</em>" in prompt and "<math" in prompt
    feedback = {f.get("ident"): "".join(f.itertext()) for f in single.iterfind("q:itemfeedback", NS)}
    assert "Recall telt" in feedback["general_fb"]
    assert "zeldzame" in feedback["c0_fb"]
    links = {d.get("linkrefid") for d in single.iterfind(".//q:displayfeedback", NS)}
    assert links == {"general_fb", "c0_fb"}

    tf = found["genoeg"]
    assert [lb.get("ident") for lb in tf.iterfind(".//q:response_label", NS)] == ["true", "false"]
    assert [t.text for t in tf.iterfind(".//q:mattext", NS)] == ["Is 99 % genoeg?", "Waar",
                                                                  "Niet waar"]
    [right] = scored(tf)
    assert right.findtext("q:conditionvar/q:varequal", namespaces=NS) == "false"

    multiple = found["kenmerken"]
    assert multiple.find(".//q:response_lid", NS).get("rcardinality") == "Multiple"
    [right] = scored(multiple)
    both = right.find("q:conditionvar/q:and", NS)
    assert [v.text for v in both.iterfind("q:varequal", NS)] == ["c0", "c2"]
    assert [v.text for v in both.iterfind("q:not/q:varequal", NS)] == ["c1"]


def test_text_and_numeric_become_fill_in_the_blank(oven: Path) -> None:
    found = items(oven)
    text = found["model"]
    assert text.find(".//q:response_str/q:render_fib", NS) is not None
    [right] = scored(text)
    answers = right.findall("q:conditionvar/q:varequal", NS)
    assert [a.text for a in answers] == ["Random Forest", "randomforest"]
    assert {a.get("case") for a in answers} == {"No"}
    [right] = scored(found["gemiddelde"])
    spellings = [v.text for v in right.iterfind("q:conditionvar/q:varequal", NS)]
    assert "2.5" in spellings and "2,5" in spellings
    assert "2.6" not in spellings


def test_tolerance_becomes_a_grid_of_answers() -> None:
    from lcmodules.export.imscc_qti import numeric_answers

    accepted = numeric_answers(3.0, 0.05)
    assert {"2.95", "2,95", "3", "3.0", "3,0", "3.05"} <= set(accepted)
    assert "3.06" not in accepted and "2.94" not in accepted
    assert numeric_answers(230, 0) == ["230", "230.0", "230,0"]


def test_manifest_metadata_and_resources(oven: Path) -> None:
    manifest = etree.fromstring(read(oven))
    assert manifest.get("identifier") == "lcm-lc-test_oven"
    assert manifest.findtext(".//lom:general/lom:title/lom:string", namespaces=NS) == "De oven"
    descriptions = [d.findtext("lom:string", namespaces=NS)
                    for d in manifest.iterfind(".//lom:general/lom:description", NS)]
    assert descriptions[0] == "Een module voor de tests."
    assert "1.0.0" in descriptions[1] and "3" in descriptions[1]
    assert "drempel" in manifest.findtext(".//lom:classification/lom:description/lom:string",
                                          namespaces=NS)
    assert "CC-BY-4.0" in manifest.findtext(".//lom:rights/lom:description/lom:string",
                                            namespaces=NS)
    assert "T. Ester" in manifest.findtext(".//lom:lifeCycle//lom:entity", namespaces=NS)
    types = sorted(r.get("type") for r in manifest.iterfind(".//cp:resource", NS))
    assert types.count(ASSESSMENT) == 1
    hrefs = {r.get("href") for r in manifest.iterfind(".//cp:resource", NS)}
    assert "oven/notebooks/02-verkennen.ipynb" in hrefs
    with zipfile.ZipFile(oven) as zf:
        names = set(zf.namelist())
    listed = {f.get("href") for f in manifest.iterfind(".//cp:file", NS)}
    assert listed == names - {"imsmanifest.xml"}
    assert not any(n.endswith("03-toets.html") or n.endswith("lc.js") for n in names)


def test_identifiers_survive_a_version_bump(tmp_path: Path) -> None:
    [old] = build(write_module(tmp_path / "v1"), tmp_path / "out1")
    [new] = build(write_module(tmp_path / "v2", version="2.0.0"), tmp_path / "out2")
    assert old.name == "oven-1.0.0-imscc.imscc" and new.name == "oven-2.0.0-imscc.imscc"

    def identifiers(path: Path) -> list[str]:
        return [e.get("identifier") for e in etree.fromstring(read(path)).iter()
                if e.get("identifier")]

    assert identifiers(old) == identifiers(new)
    assert etree.fromstring(read(new)).get("identifier") == "lcm-lc-test_oven"


@pytest.mark.browser
def test_pages_need_no_script(oven: Path, tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    folder = scormtest.unpack(oven, tmp_path / "unpacked")
    pages = sorted(folder.glob("oven/*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        assert 'href="03-toets.html' not in text  # the quiz is QTI, not a page
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto((folder / "oven" / "01-case.html").as_uri())
        body = tab.locator("main")
        assert body.is_visible()
        assert "Een bakkerij met een oven" in body.inner_text()
        assert tab.locator("main math").count() == 1
        assert "de toets" in body.inner_text()
    finally:
        context.close()


# ---------------------------------------------------------------- what the profile cannot hold


def test_two_choice_single_question_goes_in_as_check_boxes(tmp_path: Path, cli,  # type: ignore[no-untyped-def]
                                                         schemas_dir: Path) -> None:
    """CC 1.1 holds cc.multiple_choice only with 3+ choices (Schematron rule 4d): a 2-choice
    single question is a warning at its line, and goes in as cc.multiple_response that is right
    only with exactly its correct choice ticked — valid against the XSD and the Schematron rules."""
    from lcmodules.inspect.cartridge import QTI_RULES, schematron_failures

    quiz = QUIZ.replace("      - text: Precisie\n", "")
    folder = write_module(tmp_path / "src", quiz=quiz)
    proc = cli("validate", folder, "-f", "imscc", check=0)
    assert re.search(r"toets\.quiz\.yml:\d+: warning: question 'metriek': a Common Cartridge "
                     r"holds a single-choice question only with 3 or more choices", proc.stdout
                     + proc.stderr), proc.stdout + proc.stderr
    proc = cli("build", folder, "--format", "imscc", "--out", tmp_path / "out", check=0)
    assert "Traceback" not in proc.stderr
    [cartridge] = list((tmp_path / "out").glob("*.imscc"))
    [doc] = quiz_docs(cartridge)
    qti_xsd = etree.XMLSchema(etree.parse(str(schemas_dir / "cc11/ccv1p1_qtiasiv1p2p1_v1p0.xsd"),
                                          etree.XMLParser(no_network=True)))
    assert qti_xsd.validate(doc), qti_xsd.error_log
    assert schematron_failures(doc, tuple(str(schemas_dir / r) for r in QTI_RULES)) == []
    ns = {"q": doc.nsmap[None]}
    item = doc.xpath("//q:item[@title='metriek']", namespaces=ns)[0]
    profile = item.xpath(".//q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry/text()",
                         namespaces=ns)
    assert profile == ["cc.multiple_response.v0p1"]
    assert item.xpath(".//q:response_lid/@rcardinality", namespaces=ns) == ["Multiple"]
    scored = item.xpath(".//q:respcondition[q:setvar]/q:conditionvar/q:and", namespaces=ns)
    assert len(scored) == 1 and scored[0].xpath("count(q:varequal)", namespaces=ns) == 1
    assert scored[0].xpath("count(q:not)", namespaces=ns) == 1


def test_tolerance_and_fractional_points_are_warnings(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    quiz = QUIZ.replace("    answer: 2.5\n", "    answer: 2.5\n    tolerance: 0.1\n").replace(
        "    points: 2\n", "    points: 1.5\n")
    folder = write_module(tmp_path / "src", quiz=quiz)
    proc = cli("build", folder, "--format", "imscc", "--out", tmp_path / "out", check=0)
    lines = proc.stderr.splitlines()
    tolerance = next(line for line in lines if "cannot hold a tolerance" in line)
    assert re.match(r".*toets\.quiz\.yml:\d+: warning: question 'gemiddelde'", tolerance)
    assert "2.4 to 2.6" in tolerance
    assert any("question 'kenmerken': 1.5 points" in line for line in lines)
    assert (tmp_path / "out" / "oven-1.0.0-imscc.imscc").is_file()


# ---------------------------------------------------------------- inspect


def test_inspect_a_good_cartridge(oven: Path, schemas_dir: Path, cli) -> None:  # type: ignore[no-untyped-def]
    proc = cli("inspect", oven, "--schemas", schemas_dir, "--json", check=0)
    report = json.loads(proc.stdout)
    assert report["ok"] and report["cc_version"] == "1.1"
    assert report["schema"]["checked"] and report["schema"]["valid"]
    [quiz] = report["quizzes"]
    assert [q["type"] for q in quiz["questions"]] == [
        "cc.multiple_choice.v0p1", "cc.true_false.v0p1", "cc.multiple_response.v0p1",
        "cc.fib.v0p1", "cc.fib.v0p1"]
    text = cli("inspect", oven, "--schemas", schemas_dir, check=0).stdout
    assert "valid (XSD and Schematron)" in text and "cc.true_false.v0p1" in text


def test_inspect_a_broken_cartridge(oven: Path, schemas_dir: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.imscc"
    with zipfile.ZipFile(oven) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("03-toets.xml"):
                data = data.replace(b"cc.true_false.v0p1", b"cc.true_false.v9")
            if info.filename.endswith("01-case.html"):
                continue
            dst.writestr(info.filename, data)
    proc = cli("inspect", broken, "--schemas", schemas_dir, "--json", check=1)
    report = json.loads(proc.stdout)
    codes = {f["code"] for f in report["findings"]}
    assert {"missing-file", "schema"} <= codes
    assert any("RULE 2b" in f["message"] for f in report["findings"])


def test_inspect_refuses_a_hostile_cartridge(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.imscc"
    scormtest.raw_zip(evil, [{"name": "../imsmanifest.xml", "data": b"<manifest/>"}])
    proc = cli("inspect", evil, "--json", check=1)
    report = json.loads(proc.stdout)
    assert report["ok"] is False
    assert "Traceback" not in proc.stderr


def test_a_cartridge_named_zip_is_inspected_as_a_cartridge(oven: Path, tmp_path: Path) -> None:
    from lcmodules.inspect.cartridge import is_cartridge

    renamed = tmp_path / "oven.zip"
    shutil.copyfile(oven, renamed)
    assert is_cartridge(oven) and is_cartridge(renamed)
    scorm = scormtest.build(write_module(tmp_path / "src"), tmp_path / "scorm",
                            formats=("scorm2004",))
    assert scorm and not is_cartridge(scorm[0])
