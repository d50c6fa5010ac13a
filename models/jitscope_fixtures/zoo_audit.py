"""Group `zoo_audit`: real torchvision/torchaudio models, traced, with truth.

Small-input, eval-mode, random-weight models as people trace them, written
to zoo_audit/<name>.traced.pt with the trace example in
zoo_audit/inputs/<name>.pt.  Each traced file is loaded back and run beside
the eager model on varied inputs (other batch sizes, other lengths or image
sizes, other values); zoo_audit/zoo_truth.json records per model whether
any of them diverged (`lossy`), the first one that did and how, and the
TracerWarnings PyTorch printed while tracing (file:line), so an audit of
the file can be judged against what really happened, not against a label.

Kept to a few seconds of CPU: the models are the library classes at small
sizes (a DenseNet of two short blocks, not densenet121; wav2vec2 and
Conformer in tiny configurations).  Unlike models/zoo.py (by hand, the big
zoo) this group is part of the default build.
"""

import io
import warnings
from typing import Callable, Dict, List, Tuple

import torch

from .output import Artifact, GroupResult, OutDir, seed_everything
from .pitfalls.probes import compare

PREFIX = "zoo_audit/"
TRUTH = PREFIX + "zoo_truth.json"

Inputs = Tuple[torch.Tensor, ...]


def _images(*shape) -> Callable[[], Inputs]:
    return lambda: (torch.rand(*shape),)


def _other_images(batch, size, other_size) -> List[Tuple[str, Inputs]]:
    """Varied inputs of an image model traced on one image of `size`: a batch
    of `batch` such images, then one image of `other_size` (height, width)."""
    return [(f"batch {batch}", (torch.rand(batch, 3, *size),)),
            (f"{other_size[0]}x{other_size[1]} image", (torch.rand(1, 3, *other_size),))]


def _resnet18():
    import torchvision.models as tvm
    return tvm.resnet18(weights=None)


def _mobilenet_v3_small():
    import torchvision.models as tvm
    return tvm.mobilenet_v3_small(weights=None)


def _small_densenet():
    from torchvision.models.densenet import DenseNet
    return DenseNet(growth_rate=8, block_config=(2, 2), num_init_features=16, bn_size=2,
                    num_classes=10)


def _googlenet_aux():
    import torchvision.models as tvm
    return tvm.googlenet(weights=None, aux_logits=True, init_weights=False, num_classes=10)


def _backbone_layers():
    """A detection backbone as torchvision builds one: IntermediateLayerGetter."""
    import torchvision.models as tvm
    from torchvision.models._utils import IntermediateLayerGetter
    return IntermediateLayerGetter(tvm.resnet18(weights=None),
                                   return_layers={"layer2": "0", "layer4": "1"})


class _RcnnTransform(torch.nn.Module):
    """torchvision's detection preprocessing (GeneralizedRCNNTransform: resize
    to min_size/max_size, normalize, batch to a multiple of 32) on one
    image, returning the batched tensor."""

    def __init__(self):
        super().__init__()
        from torchvision.models.detection.transform import GeneralizedRCNNTransform
        self.transform = GeneralizedRCNNTransform(32, 64, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25])

    def forward(self, image):
        return self.transform([image])[0].tensors


def _wav2vec2_tiny():
    """wav2vec2 at a tiny size.  Its positional conv carries weight_norm, a
    forward pre-hook torch 1.13's tracer cannot compile; it is removed first,
    as torchaudio's own __prepare_scriptable__ does before scripting."""
    from torchaudio.models import wav2vec2_model
    model = _wav2vec2_config(wav2vec2_model)
    conv = model.encoder.transformer.pos_conv_embed.conv
    # Only the old hook form (torch 1.13); newer torchaudio may use
    # parametrizations, which trace as they are.
    if any(type(hook).__name__ == "WeightNorm" for hook in conv._forward_pre_hooks.values()):
        torch.nn.utils.remove_weight_norm(conv)
    return model


def _wav2vec2_config(wav2vec2_model):
    return wav2vec2_model(
        extractor_mode="group_norm", extractor_conv_layer_config=[(16, 10, 5), (16, 3, 2)],
        extractor_conv_bias=False, encoder_embed_dim=32, encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=16, encoder_pos_conv_groups=4, encoder_num_layers=2,
        encoder_num_heads=2, encoder_attention_dropout=0.0, encoder_ff_interm_features=64,
        encoder_ff_interm_dropout=0.0, encoder_dropout=0.0, encoder_layer_norm_first=False,
        encoder_layer_drop=0.0, aux_num_out=None)


def _wav2vec2_tiny_features():
    return _Features(_wav2vec2_tiny())


def _wav2vec2_tiny_lengths():
    return _WithLengths(_wav2vec2_tiny())


class _Features(torch.nn.Module):
    """wav2vec2 without lengths returns (features, None); a trace can only
    return tensors, so this keeps the features."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, waveforms):
        return self.model(waveforms)[0]


class _WithLengths(torch.nn.Module):
    """wav2vec2 called with lengths: the padding-mask path."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, waveforms, lengths):
        return self.model(waveforms, lengths)


def _conformer_tiny():
    from torchaudio.models import Conformer
    return Conformer(input_dim=8, num_heads=2, ffn_dim=16, num_layers=1,
                     depthwise_conv_kernel_size=3)


# name -> (model factory, example inputs, varied inputs, trace strict)
MODELS: Dict[str, Tuple[Callable, Callable[[], Inputs], Callable[[], List[Tuple[str, Inputs]]],
                        bool]] = {
    "resnet18": (_resnet18, _images(1, 3, 32, 32), lambda: _other_images(3, (32, 32), (48, 40)) + [
        ("values x3", (torch.randn(1, 3, 32, 32) * 3,))], True),
    "mobilenet_v3_small": (_mobilenet_v3_small, _images(1, 3, 32, 32),
                           lambda: _other_images(3, (32, 32), (48, 40)), True),
    "densenet_small": (_small_densenet, _images(1, 3, 32, 32),
                       lambda: _other_images(3, (32, 32), (48, 40)), True),
    "googlenet_aux": (_googlenet_aux, _images(1, 3, 64, 64),
                      lambda: _other_images(2, (64, 64), (96, 80)), True),
    "resnet18_backbone": (_backbone_layers, _images(1, 3, 64, 64),
                          lambda: _other_images(2, (64, 64), (96, 80)), False),
    "rcnn_transform": (_RcnnTransform, lambda: (torch.rand(3, 40, 50),), lambda: [
        ("portrait 60x30", (torch.rand(3, 60, 30),)),
        ("33x77 image", (torch.rand(3, 33, 77),))], True),
    "wav2vec2_tiny": (_wav2vec2_tiny_features, lambda: (torch.rand(1, 1600),), lambda: [
        ("batch 3", (torch.rand(3, 1600),)),
        ("2400 samples", (torch.rand(1, 2400),))], True),
    "wav2vec2_tiny_lengths": (_wav2vec2_tiny_lengths,
                              lambda: (torch.rand(2, 1600), torch.tensor([1600, 1200])),
                              lambda: [
        ("other lengths", (torch.rand(2, 1600), torch.tensor([1600, 800]))),
        ("batch 3, 2400 samples", (torch.rand(3, 2400), torch.tensor([2400, 2000, 900])))],
        True),
    "conformer_tiny": (_conformer_tiny,
                       lambda: (torch.rand(2, 6, 8), torch.tensor([6, 4])),
                       lambda: [
        # Conformer needs max(lengths) == frames: eager rejects other pairs.
        ("other lengths, same longest", (torch.rand(2, 6, 8), torch.tensor([6, 3]))),
        ("batch 3, 9 frames", (torch.rand(3, 9, 8), torch.tensor([9, 7, 2])))], True),
}


# Traced files that also hold scripted code: tracing compiles Wav2Vec2Model's
# @torch.jit.export methods (extract_features and what it calls) into the
# archive, so `jitscope info` rightly reports them as mixed.
MIXED = {"wav2vec2_tiny", "wav2vec2_tiny_lengths"}


def _run(model, inputs):
    try:
        with torch.no_grad():
            return True, model(*(t.clone() for t in inputs))
    except Exception as exc:   # noqa: BLE001 - an observation
        lines = [line for line in str(exc).splitlines() if line.strip()]
        return False, (lines[-1] if lines else type(exc).__name__)[:160]


def _first_divergence(eager, saved: bytes, varied) -> Tuple[List[str], dict]:
    tried, first = [], {}
    for name, inputs in varied:
        tried.append(name)
        ok_e, expected = _run(eager, inputs)
        ok_s, actual = _run(torch.jit.load(io.BytesIO(saved)), inputs)
        if not ok_e and not ok_s:
            continue
        if ok_e != ok_s:
            reason = (f"the traced file raised ({actual})" if ok_e
                      else f"eager raised ({expected})")
        else:
            reason = compare(expected, actual)
        if reason:
            first = {"input": name, "reason": reason}
            break
    return tried, first


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    truth = {}
    for name, (factory, example, varied, strict) in MODELS.items():
        seed_everything(0)
        model = factory().eval()
        inputs = example()
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", torch.jit.TracerWarning)
            with torch.no_grad():
                traced = torch.jit.trace(model, inputs, check_trace=False, strict=strict)
        rel, inputs_rel = f"{PREFIX}{name}.traced.pt", f"{PREFIX}inputs/{name}.pt"
        out.save_module(traced, rel)
        out.save_tensors(tuple(inputs), inputs_rel)
        seed_everything(1)
        tried, first = _first_divergence(model, out.path(rel).read_bytes(), varied())
        truth[f"{name}.traced.pt"] = {
            "model": f"{type(model).__module__}.{type(model).__name__}",
            "lossy": bool(first),
            "divergence": first or None,
            "inputs_tried": tried,
            "inputs": f"inputs/{name}.pt",
            "tracer_warnings": sorted({f"{w.filename}:{w.lineno}: {str(w.message).splitlines()[0]}"
                                       for w in said
                                       if issubclass(w.category, torch.jit.TracerWarning)}),
        }
        result.artifacts.append(Artifact(rel, "mixed" if name in MIXED else "traced",
                                         inputs_rel))
    out.write_json({"verification": "each traced file was loaded back and run beside the "
                                    "eager model (eval, no_grad) on the inputs listed in "
                                    "inputs_tried; lossy: some output differed (shape, dtype, "
                                    "values at rtol 1e-4/atol 1e-5) or only one side raised",
                    "models": truth}, TRUTH)
    lossy = sorted(k for k, v in truth.items() if v["lossy"])
    result.note = (f"{len(truth)} models traced, {len(lossy)} diverge: "
                   f"{', '.join(k.split('.')[0] for k in lossy) or 'none'}")
    return result
