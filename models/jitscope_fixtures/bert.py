"""A small BERT-style encoder in plain PyTorch, scriptable, in two sizes.

Written here rather than imported so the fixture needs no transformers
package and every line the C++ side sees in debug info is ours.  The tiny
size is a default fixture; BERT-base size is the --bench fixture (~440 MB).
"""

import math
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .output import GroupResult, OutDir, save_pair, script, seed_everything, trace


@dataclass(frozen=True)
class BertConfig:
    vocab_size: int = 1000
    hidden_size: int = 64
    num_layers: int = 2
    num_heads: int = 4
    intermediate_size: int = 256
    max_positions: int = 128
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    dropout: float = 0.1
    seq_len: int = 16           # length of the example inputs


TINY = BertConfig()
BASE = BertConfig(vocab_size=30522, hidden_size=768, num_layers=12, num_heads=12,
                  intermediate_size=3072, max_positions=512, seq_len=128)


class Embeddings(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.word = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position = nn.Embedding(cfg.max_positions, cfg.hidden_size)
        self.segment = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        # arange over size(1) stays dynamic under tracing, so the traced model
        # accepts other sequence lengths too.
        positions = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        segments = torch.zeros_like(input_ids)     # single-segment inputs only
        x = self.word(input_ids) + self.position(positions) + self.segment(segments)
        return self.dropout(self.norm(x))


class SelfAttention(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        if cfg.hidden_size % cfg.num_heads != 0:
            raise ValueError("hidden_size must be a multiple of num_heads")
        self.num_heads = cfg.num_heads
        self.head_dim = cfg.hidden_size // cfg.num_heads
        self.scale = 1.0 / math.sqrt(self.head_dim)
        self.query = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.value = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.output = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.dropout = nn.Dropout(cfg.dropout)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, seq, hidden) -> (batch, heads, seq, head_dim)."""
        return x.view(x.size(0), x.size(1), self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask_bias: torch.Tensor) -> torch.Tensor:
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale + mask_bias
        probs = self.dropout(torch.softmax(scores, dim=-1))
        context = torch.matmul(probs, v).transpose(1, 2).contiguous()
        return self.output(context.view(x.size(0), x.size(1), -1))


class EncoderLayer(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.attention = SelfAttention(cfg)
        self.attention_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.intermediate = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.ffn_output = nn.Linear(cfg.intermediate_size, cfg.hidden_size)
        self.ffn_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask_bias: torch.Tensor) -> torch.Tensor:
        x = self.attention_norm(x + self.dropout(self.attention(x, mask_bias)))
        ffn = self.ffn_output(F.gelu(self.intermediate(x)))
        return self.ffn_norm(x + self.dropout(ffn))


class BertLike(nn.Module):
    """forward(input_ids, attention_mask) -> (sequence_output, pooled_output)."""

    def __init__(self, cfg: BertConfig = TINY):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.layers = nn.ModuleList([EncoderLayer(cfg) for _ in range(cfg.num_layers)])
        self.pooler = nn.Linear(cfg.hidden_size, cfg.hidden_size)

    def forward(self, input_ids: torch.Tensor,
                attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        # 1 = attend, 0 = padding; padding gets a large negative score bias.
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        x = self.embeddings(input_ids)
        for layer in self.layers:
            x = layer(x, mask_bias)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return x, pooled


def example_inputs(cfg: BertConfig) -> Tuple[torch.Tensor, torch.Tensor]:
    """One sequence of cfg.seq_len tokens whose last quarter is padding."""
    input_ids = torch.randint(0, cfg.vocab_size, (1, cfg.seq_len), dtype=torch.int64)
    attention_mask = torch.ones(1, cfg.seq_len, dtype=torch.int64)
    attention_mask[:, cfg.seq_len - cfg.seq_len // 4:] = 0
    return input_ids, attention_mask


def _build(out: OutDir, cfg: BertConfig, name: str, prefix: str) -> GroupResult:
    seed_everything(0)
    model = BertLike(cfg).eval()
    inputs = example_inputs(cfg)
    return GroupResult(save_pair(out, name, trace(model, inputs), script(model), inputs, prefix))


def build(out: OutDir) -> GroupResult:
    return _build(out, TINY, "bert_tiny", prefix="")


def build_bench(out: OutDir) -> GroupResult:
    return _build(out, BASE, "bert_base", prefix="bench/")
