"""Build the small real translation models the tests use, as real .argosmodel packages.

No fa->en or ar->en weights can be downloaded on the build machines, so the
tests need a model the project makes itself. Each one is a tiny pre-norm
transformer written in torch exactly as CTranslate2 computes one, trained until
it reproduces a fixed set of sentence pairs from the seed corpus (English
written for this project), saved through CTranslate2's converter API
(``TransformerSpec``, the OpenNMT layout real Argos models have: source without
</s>, decoding from <s>) and zipped the way Argos packages are:
``<name>/metadata.json``, ``<name>/model/`` and ``<name>/sentencepiece.model``.

These models are for tests only: their metadata says so, and the workbench
flags every line they produce as ``test-model``.

    pip install torch==2.13.0 ctranslate2 sentencepiece
    python scripts/build_test_models.py            # writes tests/data/models/*.argosmodel
    python scripts/build_test_models.py --realistic DIR
        # a random-weight model shaped like the real Argos fa_en package
        # (6+6 layers, d_model 512, 8 heads, FFN 2048, 32k vocabulary, int8)
        # for the throughput benchmark; not committed
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "models"

PAIRS = {
    "fa": [
        ("پيش بسوي اتحاد و همبستگي ملي", "Forward to national unity and solidarity"),
        (
            "بسیاری از نمایندگان انجمنها نیز از اقلیتهای قومی و مذهبی هستند.",
            "Many of the associations' representatives are also from ethnic and religious minorities.",
        ),
        (
            "نقش فعال انجمنهای زنان ایرانی یک خصیصه جدید دیگر از تلاشهای امسال است.",
            "The active role of Iranian women's associations is another new feature of this year's efforts.",
        ),
        (
            "برگزارکنندگان گفتند که ۳۰ هزار نقطه تماس از «حدود صد کشور» بهطور زنده وصل شدهاست.",
            'The organisers said that 30,000 connection points from "about a hundred countries" were connected live.',
        ),
        (
            "حدود ۲ هزار و ۸۰۰ عضو سازمان مجاهدین خلق در شهرک «اشرف ۳» آلبانی زندگی میکنند.",
            'About 2,800 members of the MEK live in the "Ashraf 3" camp in Albania.',
        ),
        (
            "تهران به نوبه خود گفتهاست فقط ۲۳۰ نفر کشته شدهاند.",
            "Tehran for its part has said that only 230 people were killed.",
        ),
        (
            "در این راستا، تظاهرات گستردهای در روز شنبه، ۸ فوریه ۲۰۲۵، در پاریس برگزار خواهد شد.",
            "In this regard, a large demonstration will be held in Paris on Saturday, 8 February 2025.",
        ),
        (
            "تظاهرات مخالفان رژیم در برلین با بنر «آزادی در ایران» (dpa)",
            'Demonstration by opponents of the regime in Berlin with a "Freedom in Iran" banner (dpa)',
        ),
        (
            "وزیر خارجه عمان: گفتوگوهای آمریکا و ایران در «فضایی دوستانه» انجام شد",
            'Oman\'s foreign minister: US-Iran talks were held in a "friendly atmosphere"',
        ),
        (
            "همچنين تعدادي از همكاران «بگونه» در اين گردهمايي حضور خواهند داشت.",
            'A number of "Begooneh" colleagues will also attend this gathering.',
        ),
        ("مریم رجوی", "Maryam Rajavi"),
        ("گردهمایی سالانه در پاریس برگزار شد.", "The annual gathering was held in Paris."),
    ],
    "ar": [
        (
            "300 جمعية إيرانية تدعم انتفاضة الشعب لإسقاط النظام",
            "300 Iranian associations support the people's uprising to overthrow the regime",
        ),
        ("موجة جديدة", "A new wave"),
        ("معرض للصور", "A photo exhibition"),
        ("أحكام جائرة", "Unjust sentences"),
        ("تفجير أنابيب النفط", "Blowing up oil pipelines"),
        ("لدينا الدليل ولدينا المذنبون.", "We have the evidence and we have the culprits."),
        ("كانت هذه لحظة محورية في تاريخ إيران.", "This was a pivotal moment in Iran's history."),
        ("شاركت في إدانة مذبحة عام 1988.", "She took part in condemning the 1988 massacre."),
        (
            "وانضمت إلى الآلاف الذين يرفعون أصواتهم للمطالبة بالعدالة للضحايا.",
            "She joined the thousands who raise their voices to demand justice for the victims.",
        ),
        (
            "نحن نعلم أن الأشخاص الذين أرسلوا هؤلاء السجناء السياسيين إلى موتهم ما زالوا في السلطة اليوم.",
            "We know that the people who sent these political prisoners to their deaths are still in power today.",
        ),
        ("مريم رجوي", "Maryam Rajavi"),
    ],
}
NAMES = {"fa": "Persian", "ar": "Arabic", "en": "English"}
EPSILON = 1e-6


def train_sentencepiece(texts: list[str], prefix: Path, vocab_size: int) -> Path:
    """One shared piece vocabulary with OpenNMT's special tokens, as Argos packages have."""
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(texts) + "\n", "utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        pad_id=0,
        pad_piece="<blank>",
        unk_id=1,
        bos_id=2,
        eos_id=3,
        minloglevel=2,
        input_sentence_size=2_000_000,
        shuffle_input_sentence=True,
    )
    return prefix.with_suffix(".model")


def sinusoids(length: int, dim: int):
    """Position encodings, given to CTranslate2 explicitly so both sides use the same table."""
    import torch

    position = torch.arange(length, dtype=torch.float32)[:, None]
    scale = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * scale)
    table[:, 1::2] = torch.cos(position * scale)
    return table


def build_torch_model(vocab: int, dim: int, layers: int, heads: int, ffn: int, max_len: int = 1024):
    """A pre-norm Transformer computed exactly as CTranslate2's TransformerSpec computes.

    Encoder: x = E[src]*sqrt(d) + P; per layer x += SelfAttn(LN(x)); x += FFN(LN(x)); LN.
    Decoder: the same with causal self-attention and cross-attention; logits = LN(y) E^T + b.
    """
    import torch
    from torch import nn

    class Attention(nn.Module):
        def __init__(self, cross: bool):
            super().__init__()
            self.norm = nn.LayerNorm(dim, eps=EPSILON)
            self.query = nn.Linear(dim, dim)
            self.key_value = nn.Linear(dim, 2 * dim)
            self.out = nn.Linear(dim, dim)
            self.cross = cross

        def forward(self, x, memory=None, mask=None):
            h = self.norm(x)
            source = memory if self.cross else h
            q = self.query(h)
            k, v = self.key_value(source).chunk(2, dim=-1)
            split = lambda t: t.view(t.shape[0], t.shape[1], heads, dim // heads).transpose(1, 2)  # noqa: E731
            scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(dim // heads)
            scores = scores.masked_fill(mask, float("-inf"))
            context = (scores.softmax(-1) @ split(v)).transpose(1, 2).reshape(x.shape)
            return x + self.out(context)

    class FeedForward(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(dim, eps=EPSILON)
            self.linear_0 = nn.Linear(dim, ffn)
            self.linear_1 = nn.Linear(ffn, dim)

        def forward(self, x):
            return x + self.linear_1(torch.relu(self.linear_0(self.norm(x))))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, dim)
            nn.init.normal_(self.embed.weight, std=dim**-0.5)
            self.register_buffer("positions", sinusoids(max_len, dim))
            self.encoder_self = nn.ModuleList(Attention(False) for _ in range(layers))
            self.encoder_ffn = nn.ModuleList(FeedForward() for _ in range(layers))
            self.encoder_norm = nn.LayerNorm(dim, eps=EPSILON)
            self.decoder_self = nn.ModuleList(Attention(False) for _ in range(layers))
            self.decoder_cross = nn.ModuleList(Attention(True) for _ in range(layers))
            self.decoder_ffn = nn.ModuleList(FeedForward() for _ in range(layers))
            self.decoder_norm = nn.LayerNorm(dim, eps=EPSILON)
            self.output_bias = nn.Parameter(torch.zeros(vocab))

        def embed_tokens(self, ids):
            return self.embed(ids) * math.sqrt(dim) + self.positions[: ids.shape[1]]

        def forward(self, src, tgt_in):
            pad_src = (src == 0)[:, None, None, :]
            x = self.embed_tokens(src)
            for attention, feed_forward in zip(self.encoder_self, self.encoder_ffn, strict=True):
                x = feed_forward(attention(x, mask=pad_src))
            memory = self.encoder_norm(x)
            length = tgt_in.shape[1]
            causal = torch.triu(torch.ones(length, length, dtype=torch.bool), 1)[None, None]
            y = self.embed_tokens(tgt_in)
            for attention, cross, feed_forward in zip(
                self.decoder_self, self.decoder_cross, self.decoder_ffn, strict=True
            ):
                y = feed_forward(cross(attention(y, mask=causal), memory, mask=pad_src))
            return self.decoder_norm(y) @ self.embed.weight.T + self.output_bias

    return Model()


def to_ctranslate2(model, tokens: list[str], heads: int, out: Path, quantization: str | None):
    """Copy the torch weights into a CTranslate2 TransformerSpec and save it."""
    import ctranslate2
    from ctranslate2.specs import TransformerSpec

    layers = len(model.encoder_self)
    spec = TransformerSpec.from_config((layers, layers), heads, pre_norm=True)
    array = lambda t: t.detach().float().numpy().copy()  # noqa: E731

    def norm(target, source):
        target.gamma, target.beta = array(source.weight), array(source.bias)

    def linear(target, *sources):
        target.weight = numpy.concatenate([array(s.weight) for s in sources])
        target.bias = numpy.concatenate([array(s.bias) for s in sources])

    def attention(target, source, cross):
        norm(target.layer_norm, source.norm)
        if cross:
            linear(target.linear[0], source.query)
            linear(target.linear[1], source.key_value)
            linear(target.linear[2], source.out)
        else:
            linear(target.linear[0], source.query, source.key_value)
            linear(target.linear[1], source.out)

    def feed_forward(target, source):
        norm(target.layer_norm, source.norm)
        linear(target.linear_0, source.linear_0)
        linear(target.linear_1, source.linear_1)

    import numpy

    embeddings = array(model.embed.weight)
    positions = array(model.positions)
    spec.encoder.embeddings[0].weight = embeddings
    spec.encoder.position_encodings.encodings = positions
    norm(spec.encoder.layer_norm, model.encoder_norm)
    for i, layer in enumerate(spec.encoder.layer):
        attention(layer.self_attention, model.encoder_self[i], cross=False)
        feed_forward(layer.ffn, model.encoder_ffn[i])
    spec.decoder.embeddings.weight = embeddings
    spec.decoder.position_encodings.encodings = positions
    norm(spec.decoder.layer_norm, model.decoder_norm)
    for i, layer in enumerate(spec.decoder.layer):
        attention(layer.self_attention, model.decoder_self[i], cross=False)
        attention(layer.attention, model.decoder_cross[i], cross=True)
        feed_forward(layer.ffn, model.decoder_ffn[i])
    spec.decoder.projection.weight = embeddings
    spec.decoder.projection.bias = array(model.output_bias)
    spec.config.layer_norm_epsilon = EPSILON
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)

    class SpecConverter(ctranslate2.converters.Converter):
        def _load(self):
            return spec

    SpecConverter().convert(str(out), quantization=quantization, force=True)


def train(model, processor, pairs: list[tuple[str, str]], steps: int, seed: int) -> None:
    """Fit the pairs exactly (source without </s>, target between <s> and </s>, as Argos feeds)."""
    import torch

    torch.manual_seed(seed)

    def padded(rows):
        width = max(len(r) for r in rows)
        return torch.tensor([r + [0] * (width - len(r)) for r in rows])

    src = padded([processor.encode(s) for s, _ in pairs])
    targets = [processor.encode(t) for _, t in pairs]
    tgt_in = padded([[2, *t] for t in targets])
    tgt_out = padded([[*t, 3] for t in targets])
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for step in range(steps):
        logits = model(src, tgt_in)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0
        )
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 200 == 0:
            print(f"  step {step} loss {loss.item():.4f}")
    model.eval()


def package(
    name: str, workdir: Path, ct2: Path, spm_model: Path, metadata: dict, destination: Path
) -> Path:
    """Zip a package folder exactly as Argos lays them out."""
    folder = workdir / name
    shutil.copytree(ct2, folder / "model")
    shutil.copy(spm_model, folder / "sentencepiece.model")
    (folder / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False))
    (folder / "README.md").write_text(metadata.get("description", "") + "\n")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(workdir).as_posix())
    return destination


def check(ct2: Path, spm_model: Path, pairs: list[tuple[str, str]]) -> None:
    """Refuse to ship a model that does not reproduce its pairs (beam 4, as Argos decodes)."""
    import ctranslate2
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    translator = ctranslate2.Translator(str(ct2))
    results = translator.translate_batch(
        [processor.encode(s, out_type=str) for s, _ in pairs], beam_size=4, length_penalty=0.2
    )
    for (source, target), result in zip(pairs, results, strict=True):
        output = processor.decode_pieces(result.hypotheses[0]).replace("▁", " ").lstrip(" ")
        if output != target:
            raise SystemExit(f"model does not reproduce {source!r}: {output!r} != {target!r}")


def build_test_model(lang: str, workdir: Path) -> Path:
    import sentencepiece as spm
    import torch

    pairs = PAIRS[lang]
    spm_model = train_sentencepiece(
        [t for pair in pairs for t in pair], workdir / f"sp-{lang}", 400
    )
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    tokens = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    torch.manual_seed(0)
    model = build_torch_model(len(tokens), dim=64, layers=2, heads=4, ffn=128)
    train(model, processor, pairs, steps=1000, seed=0)
    ct2 = workdir / f"ct2-{lang}"
    to_ctranslate2(model, tokens, 4, ct2, quantization=None)
    check(ct2, spm_model, pairs)
    name = f"translate-{lang}_en-test"
    metadata = {
        "package_version": "0.1-test",
        "argos_version": "1.11.0",
        "type": "translate",
        "from_code": lang,
        "from_name": NAMES[lang],
        "to_code": "en",
        "to_name": "English",
        "workbench_test_model": True,
        "description": f"TEST MODEL ONLY: a tiny transformer trained to reproduce {len(pairs)} "
        f"{NAMES[lang]}-English sentence pairs for workbench's tests. "
        "It cannot translate anything else.",
        "pairs": [{"source": s, "target": t} for s, t in pairs],
    }
    return package(name, workdir, ct2, spm_model, metadata, OUT / f"{name}.argosmodel")


def build_realistic_model(destination: Path, corpus: list[str], workdir: Path) -> Path:
    """Random weights, real shape: Argos fa_en is a transformer-base, 32k pieces, int8."""
    import sentencepiece as spm
    import torch

    spm_model = train_sentencepiece(corpus, workdir / "sp-big", 32000)
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    tokens = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    # A small corpus yields fewer than 32k pieces: pad the model's vocabulary so the
    # embedding and output layers have the real model's size (the cost that matters).
    tokens += [f"<extra_{i}>" for i in range(32000 - len(tokens))]
    torch.manual_seed(0)
    model = build_torch_model(len(tokens), dim=512, layers=6, heads=8, ffn=2048)
    to_ctranslate2(model, tokens, 8, workdir / "ct2-big", quantization="int8")
    metadata = {
        "package_version": "0.1-bench",
        "argos_version": "1.11.0",
        "type": "translate",
        "from_code": "fa",
        "from_name": "Persian",
        "to_code": "en",
        "to_name": "English",
        "workbench_test_model": True,
        "description": "BENCHMARK MODEL ONLY: random weights in the shape of Argos fa_en "
        f"({len(tokens)} pieces).",
    }
    return package(
        "translate-fa_en-bench", workdir, workdir / "ct2-big", spm_model, metadata, destination
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realistic", type=Path, help="write the benchmark model here instead")
    parser.add_argument(
        "--corpus",
        type=Path,
        nargs="*",
        default=[],
        help="text files for the 32k vocabulary of --realistic",
    )
    args = parser.parse_args()
    random.seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.realistic:
            lines = [
                line
                for path in args.corpus
                for line in path.read_text("utf-8").splitlines()
                if line.strip()
            ]
            print(build_realistic_model(args.realistic, lines, workdir))
            return
        for lang in PAIRS:
            print(f"building {lang}->en")
            print(build_test_model(lang, workdir))


if __name__ == "__main__":
    main()
