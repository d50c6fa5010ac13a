#!/usr/bin/python3
"""Builds the real-model zoo: zoo.py --out DIR [--only NAME ...]

torchvision 0.14 / torchaudio 0.13 models with random weights (weights=None,
no network), eval mode, the smallest inputs each accepts.  For each model,
traced and scripted exports where each works, the example inputs
(NAME.inputs.pt, a torch.save tuple), eager outputs (NAME.outputs.pt), and in
DIR/zoo.json: what PyTorch said at trace time (TracerWarnings with file:line),
why an export failed, and whether the trace agrees with eager on other inputs
(another batch size, other values): the ground truth "trace agrees" flag.
Not part of the default build: the full zoo takes minutes. tests/zoo/run_zoo.py
runs every command on it (ctest -L zoo: a subset; scripts/zoo.sh: all of it,
writing docs/zoo.md).
"""

import argparse
import json
import sys
import traceback
import warnings
from pathlib import Path

sys.dont_write_bytecode = True
import torch  # noqa: E402

# The fixtures' own wrapper and library lookup (models/jitscope_fixtures/detection.py).
from jitscope_fixtures.detection import FirstImageDetections, torchvision_library  # noqa: E402


def _vision(name, shape, **kw):
    def make():
        import torchvision.models as tvm
        return getattr(tvm, name)(weights=None, **kw), (torch.rand(*shape),)
    return make


def _vit(name, shape, **kw):
    return _vision(name, shape, image_size=shape[-1], **kw)


def _raft():
    import torchvision.models as tvm
    return (tvm.optical_flow.raft_small(weights=None),
            (torch.rand(1, 3, 128, 128), torch.rand(1, 3, 128, 128)))


def _detection(name, **kw):
    """A torchvision detection model, small: 3 classes, images resized to
    128..160. Its forward takes List[Tensor] and returns List[Dict], which a
    trace cannot return: the traced export is NAME_first_image's."""
    def make():
        import torchvision.models.detection as tvd
        model = getattr(tvd, name)(weights=None, weights_backbone=None, num_classes=3, **kw)
        return model, ([torch.rand(3, 128, 160)],)
    return make


def _first_image(name, **kw):
    def make():
        model, (images,) = _detection(name, **kw)()
        return FirstImageDetections(model.eval()), (images[0],)
    return make


def _tacotron2():
    import torchaudio.models as tam
    model = tam.Tacotron2(n_symbol=20, symbol_embedding_dim=32, encoder_embedding_dim=32, encoder_n_convolution=1,
                          decoder_rnn_dim=32, prenet_dim=16, attention_rnn_dim=32, attention_hidden_dim=16,
                          attention_location_n_filter=4, postnet_n_convolution=1, postnet_embedding_dim=16,
                          n_mels=8)
    return model, (torch.randint(1, 20, (1, 10)), torch.tensor([10]), torch.rand(1, 8, 12), torch.tensor([12]))


def _varied(shape):
    bigger = (shape[0] + 1,) + tuple(shape[1:])
    return [(torch.rand(*bigger),), (torch.randn(*shape) * 3,)]


# name -> (factory returning (module, inputs), varied inputs for agreement)
ZOO = {
    "resnet18": (_vision("resnet18", (1, 3, 32, 32)), _varied((1, 3, 32, 32))),
    "mobilenet_v3_small": (_vision("mobilenet_v3_small", (1, 3, 32, 32)),
                           _varied((1, 3, 32, 32))),
    "squeezenet1_1": (_vision("squeezenet1_1", (1, 3, 64, 64)), _varied((1, 3, 64, 64))),
    "shufflenet_v2_x0_5": (_vision("shufflenet_v2_x0_5", (1, 3, 32, 32)),
                           _varied((1, 3, 32, 32))),
    "densenet121": (_vision("densenet121", (1, 3, 32, 32)), _varied((1, 3, 32, 32))),
    "efficientnet_b0": (_vision("efficientnet_b0", (1, 3, 32, 32)), _varied((1, 3, 32, 32))),
    "regnet_y_400mf": (_vision("regnet_y_400mf", (1, 3, 32, 32)), _varied((1, 3, 32, 32))),
    "googlenet": (_vision("googlenet", (1, 3, 32, 32), aux_logits=False, init_weights=False),
                  _varied((1, 3, 32, 32))),
    "googlenet_aux": (_vision("googlenet", (1, 3, 64, 64), aux_logits=True, init_weights=False),
                      _varied((1, 3, 64, 64))),
    "inception_v3": (_vision("inception_v3", (1, 3, 75, 75), aux_logits=True, init_weights=False),
                     _varied((1, 3, 75, 75))),
    "deeplabv3_mobilenet_v3_large": (
        lambda: (__import__("torchvision.models.segmentation", fromlist=["x"])
                 .deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None),
                 (torch.rand(1, 3, 64, 64),)),
        _varied((1, 3, 64, 64))),
    "conformer": (lambda: (__import__("torchaudio.models", fromlist=["x"]).Conformer(
        input_dim=16, num_heads=2, ffn_dim=32, num_layers=2, depthwise_conv_kernel_size=3),
        (torch.rand(2, 12, 16), torch.tensor([12, 9]))),
        [(torch.rand(2, 15, 16), torch.tensor([15, 11])), (torch.rand(2, 12, 16), torch.tensor([7, 12]))]),
    "lraspp_mobilenet_v3_large": (
        lambda: (__import__("torchvision.models.segmentation", fromlist=["x"])
                 .lraspp_mobilenet_v3_large(weights=None, weights_backbone=None),
                 (torch.rand(1, 3, 64, 64),)),
        _varied((1, 3, 64, 64))),
    "r3d_18": (lambda: (__import__("torchvision.models.video", fromlist=["x"])
                        .r3d_18(weights=None), (torch.rand(1, 3, 4, 32, 32),)),
               _varied((1, 3, 4, 32, 32))),
    "convtasnet": (lambda: (__import__("torchaudio.models", fromlist=["x"]).ConvTasNet(
        num_sources=2, enc_num_feats=32, msk_num_feats=16, msk_num_hidden_feats=32,
        msk_num_layers=2, msk_num_stacks=1), (torch.rand(1, 1, 800),)),
        _varied((1, 1, 800))),
    "wav2vec2_tiny": (lambda: (__import__("torchaudio.models", fromlist=["x"]).wav2vec2_model(
        extractor_mode="group_norm", extractor_conv_layer_config=[(16, 10, 5), (16, 3, 2)],
        extractor_conv_bias=False, encoder_embed_dim=32, encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=16, encoder_pos_conv_groups=4, encoder_num_layers=2,
        encoder_num_heads=2, encoder_attention_dropout=0.0, encoder_ff_interm_features=64,
        encoder_ff_interm_dropout=0.0, encoder_dropout=0.0, encoder_layer_norm_first=False,
        encoder_layer_drop=0.0, aux_num_out=None), (torch.rand(1, 1600),)),
        _varied((1, 1600))),
    # Issue 18's bigger models: attention, optical flow, text-to-speech, and
    # detection (which needs torchvision's operator library).
    "vit_b_16": (_vit("vit_b_16", (1, 3, 32, 32)), _varied((1, 3, 32, 32))),
    "swin_t": (_vision("swin_t", (1, 3, 32, 32)), _varied((1, 3, 32, 32))),
    "raft_small": (_raft, [(torch.rand(1, 3, 128, 128), torch.rand(1, 3, 128, 128))]),
    "tacotron2": (_tacotron2, [(torch.randint(1, 20, (1, 8)), torch.tensor([8]), torch.rand(1, 8, 9),
                                torch.tensor([9]))]),
    "ssdlite320": (_detection("ssdlite320_mobilenet_v3_large"), [], {"trace": False, "library": True}),
    "ssdlite320_first_image": (_first_image("ssdlite320_mobilenet_v3_large"), [(torch.rand(3, 160, 128),)],
                               {"script": False, "library": True}),
    "fasterrcnn_mobilenet_v3_320": (_detection("fasterrcnn_mobilenet_v3_large_320_fpn"), [],
                                    {"trace": False, "library": True}),
    "fasterrcnn_mobilenet_v3_320_first_image": (_first_image("fasterrcnn_mobilenet_v3_large_320_fpn"),
                                                [(torch.rand(3, 160, 128),)], {"script": False, "library": True}),
    "maskrcnn_resnet50": (_detection("maskrcnn_resnet50_fpn", min_size=128, max_size=160), [],
                          {"trace": False, "library": True}),
    "retinanet_resnet50_first_image": (_first_image("retinanet_resnet50_fpn", min_size=128, max_size=160),
                                       [(torch.rand(3, 160, 128),)], {"script": False, "library": True}),
}


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and \
            torch.allclose(a, b, rtol=1e-4, atol=1e-5)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def build_one(name, out: Path):
    factory, varied, *rest = ZOO[name]
    how = rest[0] if rest else {}
    torch.manual_seed(0)
    model, inputs = factory()
    model.eval()
    entry = {"inputs": f"{name}.inputs.pt", "exports": {}}
    if how.get("library"):
        entry["library"] = torchvision_library()
        if entry["library"] is None:
            raise RuntimeError("torchvision's operator library here needs Python (libtorch_python): "
                               "jitscope cannot load it")
    torch.save(inputs, out / entry["inputs"])
    with torch.no_grad():
        torch.save(model(*inputs), out / f"{name}.outputs.pt")
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            try:
                if not how.get("trace", True):
                    raise RuntimeError(f"its outputs (List[Dict]) cannot be traced; see {name}_first_image")
                traced = torch.jit.trace(model, inputs, check_trace=False, strict=False)
                traced.save(str(out / f"{name}.traced.pt"))
                entry["exports"]["traced"] = f"{name}.traced.pt"
                entry["trace_agrees"] = all(_same(model(*v), traced(*v)) for v in varied)
            except Exception as e:  # recorded, not fatal: the zoo reports it
                entry["trace_error"] = str(e).splitlines()[0] if str(e) else repr(e)
        entry["trace_warnings"] = [
            {"category": w.category.__name__, "file": w.filename, "line": w.lineno,
             "message": str(w.message).splitlines()[0]} for w in said]
        try:
            if not how.get("script", True):
                raise RuntimeError("a tracing wrapper: the scripted export is the model's own")
            torch.jit.script(model).save(str(out / f"{name}.scripted.pt"))
            entry["exports"]["scripted"] = f"{name}.scripted.pt"
        except Exception as e:
            entry["script_error"] = str(e).strip().splitlines()[0]
    return entry


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--only", nargs="+", choices=list(ZOO))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name in args.only or ZOO:
        try:
            manifest[name] = build_one(name, args.out)
        except Exception:
            manifest[name] = {"error": traceback.format_exc().strip().splitlines()[-1]}
        print(f"zoo: {name}: {sorted(manifest[name].get('exports', {}))}", flush=True)
    (args.out / "zoo.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
