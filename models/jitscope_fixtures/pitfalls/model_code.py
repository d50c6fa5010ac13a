"""Pitfalls as widely used model code spells them (lossy).

Each class mirrors a function of a well-known library or reference
implementation, named in its docstring, reduced to a tiny module with random
weights.  Where the library guards the pattern for tracing (torchvision's
`if torchvision._is_tracing():` branches), the fixture is the unguarded
eager path, which is what user code copied from it does.
"""

import math
import os
import random

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .spec import Pitfall


# -- python-number and friends, spelled with builtins on sizes ------------------

class BatchImagesCeil(nn.Module):
    """torchvision GeneralizedRCNNTransform.batch_images (models/detection/
    transform.py), eager path: `int(math.ceil(float(max_size[1]) / stride) *
    stride)` pads an image to a multiple of the stride.  math.ceil/float turn
    the traced size into a constant; torchvision itself switches to
    _onnx_batch_images under tracing for this reason.
    """

    def __init__(self, size_divisible: int = 8):
        super().__init__()
        self.size_divisible = size_divisible

    def forward(self, image):
        stride = float(self.size_divisible)
        height = int(math.ceil(float(image.shape[1]) / stride) * stride)  # lost: python-number
        return F.pad(image, (0, 0, 0, height - image.shape[1]))


class ResizeMinSide(nn.Module):
    """torchvision _resize_image_and_masks (models/detection/transform.py),
    as eager code writes it without the tracing branch: scale so the short
    side becomes min_size, `scale = min_size / min(h, w)`, then the output
    size `int(h * scale)`.  The builtins min() and int() bake the example's
    sizes.
    """

    def __init__(self, min_size: float = 16.0):
        super().__init__()
        self.min_size = min_size

    def forward(self, image):
        h, w = image.shape[-2:]
        scale = self.min_size / min(h, w)
        size = [int(h * scale), int(w * scale)]  # lost: python-number
        return F.interpolate(image[None], size=size, mode="bilinear", align_corners=False)[0]


class ConformerLengthsMask(nn.Module):
    """torchaudio.models.conformer._lengths_to_padding_mask:
    `max_length = int(torch.max(lengths).item())`, then an arange of that
    length compared with the lengths.  The mask width is baked.
    """

    def forward(self, lengths):
        batch_size = lengths.shape[0]
        max_length = int(torch.max(lengths).item())  # lost: python-number
        padding_mask = torch.arange(max_length, device=lengths.device, dtype=lengths.dtype).expand(
            batch_size, max_length) >= lengths.unsqueeze(1)
        return padding_mask


class ScaledDotProductSqrtDk(nn.Module):
    """The Annotated Transformer's attention() (harvardnlp), copied into many
    repositories: `d_k = query.size(-1)`, `scores = torch.matmul(query,
    key.transpose(-2, -1)) / math.sqrt(d_k)`.  math.sqrt turns the traced
    size into a float constant.
    """

    def forward(self, query):
        d_k = query.size(-1)
        scores = torch.matmul(query, query.transpose(-2, -1)) / math.sqrt(d_k)  # lost: python-number
        return F.softmax(scores, dim=-1)


class ListIndexedByTensor(nn.Module):
    """A Python list indexed by a 0-dim tensor (Tensor.__index__), as
    per-class or per-level tables are looked up, e.g. `self.scales[level]`:
    the tracer records the list element of the example's index.
    """

    def __init__(self):
        super().__init__()
        self.gains = [0.5, 1.0, 2.0, 4.0, 8.0]

    def forward(self, x, label):
        return x * self.gains[label]  # lost: python-number


# -- training mode, .data -----------------------------------------------------

class InceptionAux(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(torch.tanh(x))


class GoogLeNetAuxHeads(nn.Module):
    """torchvision GoogLeNet._forward / eager_outputs (models/googlenet.py)
    with aux_logits=True: `if self.aux1 is not None: if self.training: aux1 =
    self.aux1(x)`, and the tuple is returned only `if self.training and
    self.aux_logits`.  Traced in training mode (the forgotten .eval()), the
    file keeps computing and returning the aux logits after .eval().
    Contrast ctrl_googlenet_no_aux.
    """

    def __init__(self):
        super().__init__()
        self.aux_logits = True
        self.body = nn.Linear(4, 4)
        self.aux1 = InceptionAux()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        x = self.body(x)
        aux1 = None
        if self.aux1 is not None:
            if self.training:
                aux1 = self.aux1(x)
        x = self.fc(x)
        if self.training and self.aux_logits:  # lost: training-branch
            return x, aux1
        return x


class MomentumEncoder(nn.Module):
    """MoCo's builder.MoCo._momentum_update_key_encoder (facebookresearch/moco),
    called from forward: `param_k.data = param_k.data * self.m + param_q.data
    * (1. - self.m)`.  Writes through .data are not recorded, so the traced
    key encoder never moves.
    """

    def __init__(self, m: float = 0.5):
        super().__init__()
        self.m = m
        self.encoder_q = nn.Linear(4, 4)
        self.encoder_k = nn.Linear(4, 4)

    @torch.no_grad()
    def _momentum_update_key_encoder(self):
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data = param_k.data * self.m + param_q.data * (1.0 - self.m)  # lost: inplace-update

    def forward(self, x):
        self._momentum_update_key_encoder()
        return self.encoder_k(x)


# -- dtype-dependent ------------------------------------------------------------

class ExtendedAttentionMaskFinfo(nn.Module):
    """transformers ModuleUtilsMixin.get_extended_attention_mask
    (modeling_utils.py): `extended_attention_mask = (1.0 -
    extended_attention_mask) * torch.finfo(dtype).min`.  torch.finfo of the
    example's dtype is a Python float: the float32 minimum is baked, and
    float64 or float16 scores get the wrong mask value.
    """

    def forward(self, scores, attention_mask):
        mask = attention_mask[:, None, :].to(dtype=scores.dtype)
        mask = (1.0 - mask) * torch.finfo(scores.dtype).min  # lost: dtype-dependent
        return scores + mask


class Fp16OverflowClamp(nn.Module):
    """transformers BartEncoderLayer.forward (models/bart/modeling_bart.py;
    the same in T5, Whisper and others): `if hidden_states.dtype ==
    torch.float16: clamp_value = torch.finfo(hidden_states.dtype).max - 1000;
    hidden_states = torch.clamp(...)`.  Traced in float32 the branch is
    gone; float16 inputs that overflowed to inf are no longer clamped.  (On
    torch 1.13 CPU clamp has no float16 kernel, so there eager raises where
    the trace does not; on 2.x the values differ.)
    """

    def forward(self, hidden_states):
        hidden_states = hidden_states * 2
        if hidden_states.dtype == torch.float16:  # lost: dtype-dependent
            clamp_value = torch.finfo(hidden_states.dtype).max - 1000
            hidden_states = torch.clamp(hidden_states, min=-clamp_value, max=clamp_value)
        return hidden_states


class ImageToFloatIfNeeded(nn.Module):
    """torchvision transforms convert_image_dtype (transforms/
    functional_tensor.py) and the many preprocessing modules that follow it:
    `if image.is_floating_point(): ...` else scale integers by 1/255.
    Traced with a uint8 image, the trace always divides by 255, also for
    float images.
    """

    def forward(self, image):
        if not image.is_floating_point():  # lost: dtype-dependent
            image = image.to(torch.float32) / 255
        return (image - 0.5) / 0.25


class TimestepEmbeddingCastToSample(nn.Module):
    """diffusers UNet2DConditionModel.get_time_embed (models/unets/
    unet_2d_condition.py): "timesteps does not contain any weights and will
    always return f32 tensors but time_embedding might actually be running in
    fp16. so we need to cast here": `t_emb = t_emb.to(dtype=sample.dtype)`.
    The trace records float32, so a float16 sample comes out float32.
    """

    def __init__(self, dim: int = 4):
        super().__init__()
        self.dim = dim

    def forward(self, sample, timesteps):
        half = self.dim // 2
        exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
        emb = timesteps[:, None].float() * torch.exp(exponent)[None, :]
        t_emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
        t_emb = t_emb.to(dtype=sample.dtype)  # lost: dtype-dependent
        return sample + t_emb


class CausalMaskFinfoFull(nn.Module):
    """transformers _make_causal_mask (modeling_bart.py, modeling_clip.py,
    modeling_llama.py up to v4.34): `mask = torch.full((tgt_len, tgt_len),
    torch.finfo(dtype).min, ...)`, the upper triangle kept, `mask.to(dtype)`,
    with dtype the hidden states' dtype.  The fill value and the dtype are
    both the example's.  (The device argument is left out, so the
    fixture has one loss.)
    """

    def forward(self, scores):
        tgt_len = scores.size(-1)
        mask = torch.full((tgt_len, tgt_len), torch.finfo(scores.dtype).min).to(scores.dtype)  # lost: dtype-dependent
        mask_cond = torch.arange(mask.size(-1))
        mask = mask.masked_fill(mask_cond < (mask_cond + 1).view(mask.size(-1), 1), 0)
        return scores + mask


# -- baked device ----------------------------------------------------------------

class Wav2Vec2PaddingMask(nn.Module):
    """torchaudio.models.wav2vec2.components (Transformer/ConformerEncoder
    padding masks): `batch_size, max_len, _ = x.shape; mask =
    torch.arange(max_len, device=lengths.device).expand(batch_size, max_len)
    >= lengths[:, None]`.  max_len stays a traced size, but the device is
    recorded as the example's.
    """

    def forward(self, x, lengths):
        batch_size, max_len, _ = x.shape
        mask = torch.arange(max_len, device=lengths.device).expand(batch_size, max_len) >= lengths[:, None]  # lost: baked-device
        return x.masked_fill(mask[:, :, None], 0.0)


# -- outside torch ---------------------------------------------------------------

class NumpyMixup(nn.Module):
    """mixup's mixup_data (facebookresearch/mixup-cifar10, train.py):
    `lam = np.random.beta(alpha, alpha)`, here inside forward as manifold-
    mixup style models do.  The NumPy draw happens once, at trace time.
    """

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        lam = float(np.random.beta(self.alpha, self.alpha))  # lost: outside-torch
        return lam * x + (1 - lam) * x.flip(0)


class NumpySpecAugmentTimeMask(nn.Module):
    """SpecAugment time masking written with NumPy, as ASR recipes do inside
    the model (e.g. `t0 = np.random.randint(0, T - t)` in time_mask
    functions): the mask position is drawn once at trace time.
    """

    def __init__(self, width: int = 2):
        super().__init__()
        self.width = width

    def forward(self, spec):
        t0 = int(np.random.randint(0, spec.shape[-1] - self.width))  # lost: outside-torch
        spec = spec.clone()
        spec[..., t0:t0 + self.width] = 0
        return spec


class PythonRandomFlip(nn.Module):
    """torchvision transforms.RandomHorizontalFlip before 0.8 (transforms.py):
    `if random.random() < self.p: return F.hflip(img)`, used inside models
    as test-time augmentation.  Python's random module is outside torch; the
    coin is tossed once, at trace time.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        if random.random() < self.p:  # lost: outside-torch
            img = img.flip(-1)
        return img * 2


class EnvSwitchedGelu(nn.Module):
    """A feature switch read from os.environ at call time, as kernels and
    activations are often chosen (e.g. an approximate GELU behind an
    environment flag).  Traced where the flag was set, the file keeps the
    tanh approximation wherever it runs.
    """

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        x = self.fc(x)
        approximate = os.environ.get("JITSCOPE_FIXTURE_FAST_GELU", "0") == "1"  # lost: outside-torch
        if approximate:
            return 0.5 * x * (1 + torch.tanh(0.7978845608 * (x + 0.044715 * x.pow(3))))
        return F.gelu(x)


PITFALLS = [
    Pitfall("detect_batch_images_ceil", BatchImagesCeil, lambda: (torch.rand(3, 8, 4),),
            "torchvision batch_images: `int(math.ceil(float(image.shape[1]) / stride) * "
            "stride)` is baked as 8: taller images are padded by a negative amount "
            "(cropped) instead of to the next multiple"),
    Pitfall("detect_resize_min_side", ResizeMinSide, lambda: (torch.rand(3, 8, 10),),
            "torchvision-style resize: `min(h, w)` and `int(h * scale)` bake the output "
            "size [16, 20]"),
    Pitfall("conformer_lengths_mask", ConformerLengthsMask,
            lambda: (torch.tensor([3, 2, 4]),),
            "torchaudio conformer: `int(torch.max(lengths).item())` bakes the mask width 4",
            counterexample="input scaled by 3"),   # sign-flipped lengths make eager raise first
    Pitfall("attention_sqrt_dk", ScaledDotProductSqrtDk, lambda: (torch.randn(3, 4),),
            "Annotated Transformer: `/ math.sqrt(query.size(-1))` is baked as / 2.0"),
    Pitfall("list_index_by_tensor", ListIndexedByTensor,
            lambda: (torch.rand(2, 4), torch.tensor(1)),
            "`self.gains[label]` with a tensor label: the trace multiplies by gains[1] "
            "for every label", counterexample="input scaled by 3",
            scriptable=False),   # TorchScript: a list index must be an int, not a Tensor
    Pitfall("googlenet_aux_heads", GoogLeNetAuxHeads, lambda: (torch.randn(3, 4),),
            "torchvision GoogLeNet with aux heads traced in training mode: after .eval() "
            "the traced file still returns (logits, aux logits); verified with the "
            "'after .eval()' probe", train=True, counterexample="after .eval()",
            scriptable=False),   # returns a tuple or a tensor: not one TorchScript type
    Pitfall("moco_momentum_data", MomentumEncoder, lambda: (torch.randn(3, 4),),
            "MoCo momentum update through `.data`: the traced key encoder keeps the "
            "weights it had after the tracing call",
            scriptable=False),   # TorchScript: no .data assignment, no parameters() generator
    Pitfall("dtype_finfo_min_mask", ExtendedAttentionMaskFinfo,
            lambda: (torch.randn(2, 3), torch.tensor([[1, 1, 0], [1, 0, 0]])),
            "transformers get_extended_attention_mask: `torch.finfo(scores.dtype).min` "
            "is baked as float32's minimum",
            scriptable=False),   # TorchScript (1.13) has no torch.finfo
    Pitfall("dtype_fp16_clamp", Fp16OverflowClamp, lambda: (torch.rand(3, 4) * 1e5,),
            "BART/T5 fp16 overflow clamp `if hidden_states.dtype == torch.float16`: "
            "dropped from a float32 trace",
            scriptable=False),   # TorchScript (1.13) has no torch.finfo
    Pitfall("dtype_is_floating_point", ImageToFloatIfNeeded,
            lambda: (torch.randint(0, 256, (3, 4), dtype=torch.uint8),),
            "`if not image.is_floating_point()` traced with uint8: the trace divides "
            "float images by 255 too"),
    Pitfall("dtype_timestep_cast", TimestepEmbeddingCastToSample,
            lambda: (torch.randn(3, 4), torch.tensor([1, 10, 100])),
            "diffusers `t_emb.to(dtype=sample.dtype)` recorded as float32: float16 "
            "samples come out float32"),
    Pitfall("dtype_causal_mask_full", CausalMaskFinfoFull, lambda: (torch.randn(2, 4, 4),),
            "transformers _make_causal_mask: `torch.full(..., torch.finfo(dtype).min)` and "
            "`.to(dtype)` keep float32's minimum and dtype: float16 scores come out "
            "float32 (float64 scores make eager raise first: the float32 full() cannot "
            "hold float64's minimum, in transformers too)",
            counterexample="floating inputs as float16",
            scriptable=False),   # TorchScript (1.13) has no torch.finfo
    Pitfall("dev_wav2vec2_padding_mask", Wav2Vec2PaddingMask,
            lambda: (torch.randn(2, 5, 3), torch.tensor([5, 3])),
            "torchaudio wav2vec2 padding mask: `torch.arange(max_len, device="
            "lengths.device)` records the cpu device; on cuda the comparison with the "
            "lengths mixes devices and raises"),
    Pitfall("numpy_mixup_beta", NumpyMixup, lambda: (torch.rand(3, 4),),
            "`np.random.beta` in forward: the mixing weight is a constant of the trace",
            scriptable=False),   # TorchScript has no NumPy
    Pitfall("numpy_specaugment_mask", NumpySpecAugmentTimeMask, lambda: (torch.rand(2, 3, 8),),
            "`np.random.randint` picks the time mask once: the trace always masks the "
            "same frames", scriptable=False),
    Pitfall("python_random_flip", PythonRandomFlip, lambda: (torch.rand(3, 4),),
            "`if random.random() < self.p`: the coin is tossed at trace time only",
            scriptable=False),   # TorchScript has no `random`
    Pitfall("env_switched_gelu", EnvSwitchedGelu, lambda: (torch.randn(3, 4),),
            "`os.environ.get(...)` read in forward: traced with the flag set, the file "
            "keeps the tanh GELU after the flag is gone",
            scriptable=False,    # TorchScript has no os.environ
            trace_env=(("JITSCOPE_FIXTURE_FAST_GELU", "1"),)),
]
