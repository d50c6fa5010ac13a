"""Pitfalls from public bug reports: each class reproduces one reported issue.

The docstring of every class names the report (repository and number) and
what it reported; the code is the report's repro reduced to a tiny module
with random weights.  Baked-device fixtures lose nothing on the CPU: their
truth needs a CUDA machine (see build.py), elsewhere they are written with
"verified": false.
"""

import torch
from torch import nn

from .spec import Pitfall


class RandnToInputDevice(nn.Module):
    """pytorch/pytorch#62961 "torch.jit.trace crashed by device mismatch".

    `x + torch.randn(1).to(x.device)`: the trace records `aten::to` with the
    example's device as a constant, so the file traced on the CPU adds a CPU
    tensor of shape [1] to CUDA inputs and raises.
    """

    def __init__(self):
        super().__init__()
        self.li = nn.Linear(4, 4)

    def forward(self, x):
        y = x + torch.randn(1).to(x.device)  # lost: baked-device
        return self.li(y)


class TensorDeviceArg(nn.Module):
    """pytorch/pytorch#31141 (and #13969): `torch.tensor(..., device=a.device)`.

    The report's serialized code shows `torch.to(CONSTANTS.c0,
    torch.device("cpu"), ...)`: `a.device` is recorded as the constant cpu.
    """

    def forward(self, a):
        b = torch.tensor((1.0,), device=a.device)  # lost: baked-device
        return a + b


class TimestepArangeDevice(nn.Module):
    """pytorch/pytorch#145995 "torch.jit.trace does not move tensors to GPU".

    The report's sinusoidal timestep embedding: `torch.arange(..., device=
    timesteps.device)` traced on the CPU keeps allocating on the CPU.
    """

    def __init__(self, dim: int = 8):
        super().__init__()
        self.dim = dim

    def forward(self, timesteps):
        freqs = torch.arange(start=0, end=self.dim, dtype=torch.float32, device=timesteps.device)  # lost: baked-device
        return timesteps[:, None] * freqs[None]


class PositionIdsArange(nn.Module):
    """huggingface/transformers#5664 "Load and run a model CPU which was traced
    and saved on GPU" (fixed for position_ids by transformers PR #5773, for
    token_type_ids by #11252): BERT-style embeddings that build
    `position_ids = torch.arange(seq_length, device=input_ids.device)` in
    forward record the trace device, so the file only runs there.
    """

    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(16, 4)
        self.position = nn.Embedding(12, 4)

    def forward(self, input_ids):
        seq_length = input_ids.size(1)
        position_ids = torch.arange(seq_length, dtype=torch.long, device=input_ids.device)  # lost: baked-device
        position_ids = position_ids.unsqueeze(0).expand_as(input_ids)
        return self.word(input_ids) + self.position(position_ids)


class Fp16TracedAsFp32(nn.Module):
    """huggingface/transformers#1344 "Errors when using fp16 with traced
    models": a file traced in float32 keeps float32 where the model follows
    its input's dtype.  Here as in LlamaRMSNorm (transformers
    models/llama/modeling_llama.py): `input_dtype = hidden_states.dtype`, the
    statistics in float32, and the result cast back with
    `.to(input_dtype)` -- which the trace records as the constant float32.
    """

    def __init__(self, hidden: int = 4, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.eps)
        return self.weight * hidden_states.to(input_dtype)  # lost: dtype-dependent


PITFALLS = [
    Pitfall("dev_randn_to_device", RandnToInputDevice, lambda: (torch.randn(2, 4),),
            "pytorch#62961: `torch.randn(1).to(x.device)` records the cpu device; on cuda "
            "the traced file adds a CPU tensor to CUDA inputs and raises"),
    Pitfall("dev_tensor_device_arg", TensorDeviceArg, lambda: (torch.randn(3),),
            "pytorch#31141/#13969: `torch.tensor((1.,), device=a.device)` records the cpu "
            "device; on cuda the traced file raises"),
    Pitfall("dev_arange_timestep", TimestepArangeDevice,
            lambda: (torch.tensor([0.0, 3.0, 7.0]),),
            "pytorch#145995: `torch.arange(..., device=timesteps.device)` records the cpu "
            "device; on cuda the traced file raises"),
    Pitfall("dev_position_ids", PositionIdsArange,
            lambda: (torch.randint(0, 16, (2, 5)),),
            "transformers#5664: `position_ids = torch.arange(seq_length, "
            "device=input_ids.device)` records the cpu device; on cuda the embedding "
            "lookup mixes devices and raises"),
    Pitfall("dtype_rmsnorm_cast_back", Fp16TracedAsFp32, lambda: (torch.randn(3, 4),),
            "transformers#1344 / LlamaRMSNorm: `.to(input_dtype)` with input_dtype = "
            "hidden_states.dtype is recorded as the constant float32, so float64 (or "
            "float16) inputs come back as float32"),
]
