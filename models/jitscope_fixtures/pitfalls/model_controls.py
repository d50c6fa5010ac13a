"""Clean controls from widely used model code that a naive auditor flags.

Each looks like a tracing pitfall (a loop over modules, an `if` on an
argument or on self.training, dropout in an eval trace, sizes in Python
arithmetic) but the trace is exact: every one is checked to agree with
eager Python on all probes, on cuda too where CUDA is available.  None of
these classes has a `# lost:` marker.  The docstrings name the code each
one mirrors.
"""

from collections import OrderedDict
from typing import Dict, List, Optional

import torch
from torch import nn
from torch.nn import functional as F

from .spec import Pitfall


class IntermediateLayerGetter(nn.ModuleDict):
    """torchvision models/_utils.py IntermediateLayerGetter.forward:
    `for name, module in self.items(): x = module(x); if name in
    self.return_layers: out[out_name] = x`.  The loop runs over submodules
    and the test over names fixed at construction: both static.
    """

    def __init__(self):
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(3, 4, 3, padding=1)),
            ("relu", nn.ReLU()),
            ("layer1", nn.Conv2d(4, 4, 3, padding=1)),
            ("layer2", nn.Conv2d(4, 4, 3, stride=2, padding=1)),
        ]))
        self.return_layers = {"layer1": "0", "layer2": "1"}

    def forward(self, x) -> Dict[str, torch.Tensor]:
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out_name = self.return_layers[name]
                out[out_name] = x
        return out


class DenseLayer(nn.Module):
    def __init__(self, channels: int, growth: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, growth, 3, padding=1)

    def forward(self, features: List[torch.Tensor]):
        return self.conv(F.relu(torch.cat(features, 1)))


class DenseBlock(nn.ModuleDict):
    """torchvision models/densenet.py _DenseBlock.forward: `features =
    [init_features]; for name, layer in self.items(): new_features =
    layer(features); features.append(new_features); return torch.cat(
    features, 1)`.  A list grown over a fixed set of layers.
    """

    def __init__(self, layers: int = 3, channels: int = 4, growth: int = 2):
        super().__init__()
        for i in range(layers):
            self.add_module(f"denselayer{i + 1}", DenseLayer(channels + i * growth, growth))

    def forward(self, init_features):
        features = [init_features]
        for name, layer in self.items():
            new_features = layer(features)
            features.append(new_features)
        return torch.cat(features, 1)


class OptionalAttentionMask(nn.Module):
    """transformers BertSelfAttention.forward: `if attention_mask is not
    None: attention_scores = attention_scores + attention_mask`.  A test on
    whether an argument was passed: the trace takes exactly the arguments it
    was traced with, so the branch cannot go the other way.
    """

    def forward(self, hidden_states, attention_mask: Optional[torch.Tensor] = None):
        scores = torch.matmul(hidden_states, hidden_states.transpose(-1, -2))
        if attention_mask is not None:
            scores = scores + attention_mask
        return F.softmax(scores, dim=-1)


class GoogLeNetNoAux(nn.Module):
    """torchvision GoogLeNet with aux_logits=False (how the pretrained
    weights are built): `if self.aux1 is not None: if self.training: ...`.
    aux1 is None, so self.training is never read and the eval trace is
    right in training mode too.  Contrast googlenet_aux_heads.
    """

    def __init__(self):
        super().__init__()
        self.aux_logits = False
        self.body = nn.Linear(4, 4)
        self.aux1 = None
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        x = self.body(x)
        aux1: Optional[torch.Tensor] = None
        if self.aux1 is not None:
            if self.training:
                aux1 = self.aux1(x)
        x = self.fc(x)
        if aux1 is not None:
            x = x + aux1
        return x


class ApiUsageLoggingGuard(nn.Module):
    """torchvision's `if not torch.jit.is_scripting() and not
    torch.jit.is_tracing(): _log_api_usage_once(self)` (utils.py, called in
    every model's __init__ or forward): a guard on the compilation mode that
    only logs.
    """

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        if not torch.jit.is_scripting() and not torch.jit.is_tracing():
            torch._C._log_api_usage_once("jitscope.fixtures.ApiUsageLoggingGuard")
        return self.fc(x)


class SpatialPyramidPooling(nn.Module):
    """ultralytics YOLOv5 SPP (models/common.py), k=(5, 9, 13): max-pools of
    several kernel sizes concatenated.  The loop is over a tuple of ints.
    """

    def __init__(self, k=(1, 3, 5)):
        super().__init__()
        self.k = tuple(k)

    def forward(self, x):
        out = [x]
        for k in self.k:
            out.append(F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2))
        return torch.cat(out, 1)


class DropoutZero(nn.Module):
    """`F.dropout(x, p=self.dropout)` with the configured rate 0.0, as in
    transformers models whose attention_dropout defaults to 0.0.  F.dropout's
    training argument defaults to True, so the trace holds aten::dropout
    with train=True -- with p=0 it is the identity in any mode.
    """

    def __init__(self, p: float = 0.0):
        super().__init__()
        self.dropout = p
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.fc(x), p=self.dropout)


class MonteCarloDropout(nn.Module):
    """Monte-Carlo dropout (Gal & Ghahramani): `F.dropout(x, 0.5,
    training=True)` kept active at inference on purpose.  Eager draws a mask
    on every call and so does the trace (aten::dropout is recorded, not its
    result): under equal seeds both draw the same masks, in either mode.
    """

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.fc(x), 0.5, training=True)


class StableLogSumExpBranch(nn.Module):
    """A data-dependent `if` whose two sides compute the same value: the
    max-shifted log-sum-exp taken only when values are large.  The frozen
    branch is still right for every input.
    """

    def forward(self, x):
        if x.max() > 10:
            m = x.max(-1, keepdim=True).values
            return m + torch.log(torch.exp(x - m).sum(-1, keepdim=True))
        return torch.log(torch.exp(x).sum(-1, keepdim=True))


class PositionEmbeddingSlice(nn.Module):
    """minGPT (karpathy/minGPT model.py, and ViT/GPT-2 variants):
    `position_embeddings = self.pos_emb[:, :t, :]` with `b, t = idx.size()`.
    The slice end is a traced size, so other lengths get their own slice.
    """

    def __init__(self, block_size: int = 16, dim: int = 4):
        super().__init__()
        self.pos_emb = nn.Parameter(torch.randn(1, block_size, dim))

    def forward(self, x):
        return x + self.pos_emb[:, : x.size(1)]


class WindowPadModulo(nn.Module):
    """torchvision swin_transformer.shifted_window_attention: `pad_r =
    (window_size[1] - W % window_size[1]) % window_size[1]`.  Under tracing
    sizes are traced values and % and - on them are recorded
    (aten::remainder, aten::rsub), unlike math.ceil (detect_batch_images_ceil).
    """

    def __init__(self, window: int = 4):
        super().__init__()
        self.window = window

    def forward(self, x):
        _, W, _ = x.shape
        pad_r = (self.window - W % self.window) % self.window
        return F.pad(x, (0, 0, 0, pad_r))


class ClipBoxesClamp(nn.Module):
    """torchvision ops/boxes.py clip_boxes_to_image, eager path:
    `boxes_x.clamp(min=0, max=width)` with `height, width = size` from the
    image shape.  clamp's bound is recorded from the traced size
    (aten::clamp on prim::NumToTensor), so it follows the image.
    """

    def forward(self, boxes, image):
        height, width = image.shape[-2:]
        boxes_x = boxes[..., 0::2].clamp(min=0, max=width)
        boxes_y = boxes[..., 1::2].clamp(min=0, max=height)
        clipped_boxes = torch.stack((boxes_x, boxes_y), dim=boxes.dim())
        return clipped_boxes.reshape(boxes.shape)


class ScoreThresholdWhere(nn.Module):
    """torchvision RoIHeads.postprocess_detections (models/detection/
    roi_heads.py): `inds = torch.where(scores > self.score_thresh)[0];
    boxes, scores = boxes[inds], scores[inds]`.  Data-dependent selection as
    tensor ops (aten::where, aten::index): kept, any number of boxes.
    """

    def __init__(self, score_thresh: float = 0.5):
        super().__init__()
        self.score_thresh = score_thresh

    def forward(self, boxes, scores):
        inds = torch.where(scores > self.score_thresh)[0]
        return boxes[inds] * 2, scores[inds]


class PackedGruWithH0(nn.Module):
    """pytorch/pytorch#12906 (pad_packed_sequence specialised to the traced
    length; closed): pack/pad now trace to the input's lengths.  h0 is passed
    in because without it torch 1.13's nn.GRU sizes its zero state with
    int(batch_sizes[0]) and the trace bakes the batch size, while torch 2.11
    traces that correctly: a fixture without h0 would have no truth that
    holds on both.
    """

    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(3, 4, batch_first=True)

    def forward(self, x, lengths):
        h0 = torch.zeros(1, x.size(0), 4)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                   enforce_sorted=False)
        out, _ = self.rnn(packed, h0)
        padded, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        return padded


class ArangeTypeAs(nn.Module):
    """Positions created on the default device and moved with
    `.type_as(x)` (as older fairseq/transformers code writes it) instead of
    `device=x.device`: aten::type_as takes x itself, so the move follows x at
    run time; contrast dev_position_ids.
    """

    def forward(self, x):
        positions = torch.arange(x.size(1)).type_as(x)
        return x + positions


PITFALLS = [
    Pitfall("ctrl_intermediate_layers", IntermediateLayerGetter,
            lambda: (torch.rand(2, 3, 8, 8),),
            "torchvision IntermediateLayerGetter: loop over self.items() and `if name in "
            "self.return_layers`, both static; dict output (strict=False)",
            strict=False),
    Pitfall("ctrl_densenet_block", DenseBlock, lambda: (torch.rand(2, 4, 6, 6),),
            "torchvision _DenseBlock: features list grown over self.items()"),
    Pitfall("ctrl_optional_mask", OptionalAttentionMask,
            lambda: (torch.randn(2, 3, 4), torch.zeros(2, 3, 3)),
            "`if attention_mask is not None` on a passed argument: static for the trace"),
    Pitfall("ctrl_googlenet_no_aux", GoogLeNetNoAux, lambda: (torch.randn(3, 4),),
            "GoogLeNet with aux_logits=False: `if self.training` under `if self.aux1 is not "
            "None` is never reached"),
    Pitfall("ctrl_is_scripting_guard", ApiUsageLoggingGuard, lambda: (torch.randn(3, 4),),
            "torchvision's is_scripting/is_tracing guard around API-usage logging"),
    Pitfall("ctrl_spp_kernel_tuple", SpatialPyramidPooling, lambda: (torch.rand(2, 2, 6, 6),),
            "YOLOv5 SPP: `for k in self.k` over a tuple of ints"),
    Pitfall("ctrl_dropout_p0", DropoutZero, lambda: (torch.randn(3, 4),),
            "`F.dropout(x, p=0.0)`: aten::dropout(train=True) with p=0 is the identity"),
    Pitfall("ctrl_mc_dropout", MonteCarloDropout, lambda: (torch.randn(3, 4),),
            "Monte-Carlo dropout `F.dropout(x, 0.5, training=True)`: stochastic exactly as "
            "eager, in both modes"),
    Pitfall("ctrl_stable_lse_branch", StableLogSumExpBranch, lambda: (torch.randn(3, 4),),
            "data-dependent `if x.max() > 10` whose sides compute the same log-sum-exp"),
    Pitfall("ctrl_pos_emb_slice", PositionEmbeddingSlice, lambda: (torch.randn(2, 5, 4),),
            "minGPT `self.pos_emb[:, : x.size(1)]`: the slice keeps the traced size"),
    Pitfall("ctrl_window_pad_modulo", WindowPadModulo, lambda: (torch.randn(2, 5, 3),),
            "swin `(window - W % window) % window` padding: traced size arithmetic"),
    Pitfall("ctrl_clip_boxes_clamp", ClipBoxesClamp,
            lambda: (torch.rand(5, 4) * 10, torch.rand(6, 7)),
            "torchvision clip_boxes_to_image eager path: clamp(max=width) follows the "
            "image size"),
    Pitfall("ctrl_score_threshold_where", ScoreThresholdWhere,
            lambda: (torch.rand(6, 4), torch.rand(6)),
            "torchvision postprocess_detections: `torch.where(scores > thresh)[0]` "
            "indexing, any number of boxes"),
    Pitfall("ctrl_packed_gru_h0", PackedGruWithH0,
            lambda: (torch.rand(3, 5, 3), torch.tensor([5, 3, 2])),
            "packed sequence through nn.GRU with h0 given: batch and lengths traced"),
    Pitfall("ctrl_arange_type_as", ArangeTypeAs, lambda: (torch.randn(2, 5),),
            "`torch.arange(x.size(1)).type_as(x)`: the device and dtype follow x"),
]
