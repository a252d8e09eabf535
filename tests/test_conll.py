"""CoNLL-2003 columns: read as a corpus, written by `export --format conll`, on real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.cli import run
from annotator.core.conll import conll_lines
from annotator.core.corpus import read_corpus
from annotator.core.session import AnnotationSession
from annotator.core.store import open_store
from annotator.errors import InputError
from annotator.nlp.pipeline import blank_tokenizer
from annotator.workflow import import_corpus
from tests.conftest import FORMATS, REPO, SEED_ARTICLE

CONLL = FORMATS / "doccano_labeling.conll2003"
DOCCANO = FORMATS / "doccano_labeling.jsonl"


def _records(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [
        (
            record.document.text,
            [(s.start, s.end, s.label) for s in (record.initial.spans if record.initial else ())],
        )
        for record in read_corpus([path], blank_tokenizer())
    ]


def test_conll_file_imports_as_the_same_records_as_its_doccano_export() -> None:
    # The same two doccano documents, exported by doccano-transformer in both formats;
    # "CHINA" as PER is in the original gold and stays.
    from_conll = _records(CONLL)
    assert from_conll == _records(DOCCANO)
    assert (31, 36, "PER") in from_conll[0][1]


def test_import_then_export_gives_back_the_conll_file_byte_for_byte(tmp_path: Path) -> None:
    store_path = tmp_path / "s.sqlite"
    store = open_store(store_path)
    import_corpus(store, [CONLL])
    store.close()
    output = tmp_path / "out.conll"
    arguments = ["export", "--format", "conll", "--store", str(store_path), "-o", str(output)]
    assert run([*arguments, "--annotator", "a", "--include-unfinished"]) == 0
    assert output.read_bytes() == CONLL.read_bytes()


def test_finished_seed_exported_as_conll_reads_back_with_the_same_entities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "0_seed.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "1_short.txt").write_text("Short note\n\nAngela Merkel met Joe Biden.\n")
    store_path = str(tmp_path / "s.sqlite")
    assert (
        run(["suggest", str(corpus), "-o", str(tmp_path / "s.jsonl"), "--store", store_path]) == 0
    )
    store = open_store(store_path)
    hashes = [r.document.input_hash for r in read_corpus([corpus], blank_tokenizer())]
    session = AnnotationSession(store, "a", hashes)
    session.finish()  # the seed: its suggestions count as accepted
    session.skip()  # the short note: answered ignore, no training data
    seed_state = store.state("a", hashes[0])
    tokens = store.document(hashes[0]).tokens
    # CoNLL keeps tokens, not spacing: "May 21, 2024" reads back as "May 21 , 2024".
    expected = [
        (
            " ".join(t.text for t in tokens[s.token_start : s.token_end + 1] if t.text.strip()),
            s.label,
        )
        for s in seed_state.spans
        if s.status != "rejected"
    ]
    stances = len(seed_state.stances)
    store.close()
    output = tmp_path / "seed.conll"
    capsys.readouterr()
    arguments = ["export", "--format", "conll", "--store", store_path, "--annotator", "a"]
    assert run([*arguments, "-o", str(output)]) == 0
    err = capsys.readouterr().err
    assert f"1 documents exported to {output}; left out: 1 answered ignore, {stances} stances" in (
        " ".join(err.split())
    )
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["-DOCSTART- -X- -X- O", ""]
    assert all(len(line.split()) == 4 for line in lines if line and not line.startswith("-DOC"))
    (record,) = read_corpus([output], blank_tokenizer())
    assert record.initial is not None
    assert [(s.text, s.label) for s in record.initial.spans] == expected


def _write(tmp_path: Path, content: str, name: str = "a.conll") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_iob1_and_bioes_tags_read_as_the_same_spans(tmp_path: Path) -> None:
    iob1 = _write(tmp_path, "Tom I-PER\nSmith I-PER\nin O\nRome I-LOC\n", "iob1.conll")
    bioes = _write(tmp_path, "Tom B-PER\nSmith E-PER\nin O\nRome S-LOC\n", "bioes.conll")
    expected = [("Tom Smith in Rome", [(0, 9, "PER"), (13, 17, "LOC")])]
    assert _records(iob1) == _records(bioes) == expected


def test_without_docstart_each_sentence_is_a_document(tmp_path: Path) -> None:
    # WNUT and many other NER sets mark no documents; tabs separate their columns.
    path = _write(tmp_path, "Paris\tB-LOC\nis\tO\nbig\tO\n\nBob\tB-PER\nruns\tO\n\n")
    assert _records(path) == [("Paris is big", [(0, 5, "LOC")]), ("Bob runs", [(0, 3, "PER")])]
    documents = _records(_write(tmp_path, "-DOCSTART- O\n\nA O\n\nB O\n", "one.conll"))
    assert documents == [("A\nB", [])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Tom B-PER\nsays\n", "a.conll:2: 'says' has no tag column (TOKEN ... TAG)"),
        ("Tom X-PER\n", "a.conll:1: tag 'X-PER' is not O or B-, I-, E-, S- and a label"),
        ("Tom B-\n", "a.conll:1: tag 'B-' is not O or B-, I-, E-, S- and a label"),
        ("\n\n-DOCSTART- -X- -X- O\n\n", "a.conll: holds no tokens"),
    ],
)
def test_bad_conll_is_a_clear_error_naming_the_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(InputError) as raised:
        list(read_corpus([path], blank_tokenizer()))
    assert str(raised.value) == f"{tmp_path}/{message}"


def test_readme_conll_example_is_the_readme_record_exported(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Export format", 1)[1]
    record_json = re.search(r"```json\n(.*?)```", section, re.S)
    conll_text = re.search(r"```text\n(.*?)```", section, re.S)
    assert record_json is not None and conll_text is not None
    path = tmp_path / "example.jsonl"
    path.write_text(json.dumps(json.loads(record_json.group(1))) + "\n", encoding="utf-8")
    (record,) = read_corpus([path], blank_tokenizer())
    assert record.initial is not None
    lines = conll_lines(record.document.text, record.document.tokens, record.initial.spans)
    assert "".join(line + "\n" for line in lines) == conll_text.group(1)
