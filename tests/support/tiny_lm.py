"""A tiny causal LM built offline for training tests: a 2-layer Qwen2 with random weights and
a word-level tokenizer (``tokenizers``) whose vocabulary is the words of the given texts.

``save_tiny_lm(folder, texts)`` writes a ``transformers`` folder (``from_pretrained`` reads
it), so the tuner loads it exactly as it loads a real base model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message.role == 'assistant' -%}<|assistant|>{{ message.content or '' }}"
    "{%- for tc in message.tool_calls or [] %} <tool_call>{{ tc.function.name }}</tool_call>"
    "{%- endfor -%}<|end|>"
    "{%- else -%}<|{{ message.role }}|>{{ message.content }}<|end|>"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)
SPECIALS = ["[PAD]", "[UNK]", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
SPECIALS += ["<|tool|>", "<|end|>", "<tool_call>", "</tool_call>"]
_WORD = re.compile(r"\w+|[^\w\s]+")


def build_tokenizer(texts: Iterable[str]) -> object:
    """A ``PreTrainedTokenizerFast`` knowing every word of ``texts`` and the chat markers."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words: list[str] = []
    for text in texts:
        for word in _WORD.findall(text):
            if word not in words:
                words.append(word)
    vocab = {tok: i for i, tok in enumerate(SPECIALS + sorted(words))}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.decoder = decoders.WordPiece(prefix="##")  # words joined by spaces
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<s>",
        eos_token="<|end|>",
        pad_token="[PAD]",
        unk_token="[UNK]",
        additional_special_tokens=SPECIALS[4:],
    )
    tok.chat_template = TEMPLATE
    return tok


def save_tiny_lm(
    folder: Path, texts: Iterable[str], *, seed: int = 0, init_range: float = 0.3
) -> Path:
    """Write a random 2-layer Qwen2 and its tokenizer into ``folder``; returns ``folder``."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = build_tokenizer(texts)
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),  # type: ignore[arg-type]
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        initializer_range=init_range,
        pad_token_id=tokenizer.pad_token_id,  # type: ignore[attr-defined]
        bos_token_id=tokenizer.bos_token_id,  # type: ignore[attr-defined]
        eos_token_id=tokenizer.eos_token_id,  # type: ignore[attr-defined]
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id  # type: ignore[attr-defined]
    model.generation_config.eos_token_id = tokenizer.eos_token_id  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))  # type: ignore[attr-defined]
    return folder
