"""torch.nn.TransformerEncoder: a stock attention model, traced and scripted."""

import torch
from torch import nn

from .output import GroupResult, OutDir, save_pair, script, seed_everything, trace


def build(out: OutDir) -> GroupResult:
    seed_everything(0)
    layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                       batch_first=True)
    model = nn.TransformerEncoder(layer, num_layers=2).eval()
    inputs = (torch.rand(2, 10, 64),)
    # Tracing runs with autograd on, so the layers take their ordinary Python
    # path, not the fused inference fast path (which needs no_grad).
    return GroupResult(save_pair(out, "transformer_encoder", trace(model, inputs),
                                 script(model), inputs))
