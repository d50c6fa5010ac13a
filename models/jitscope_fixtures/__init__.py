"""Generators of the TorchScript fixture models that jitscope's tests load.

One module per fixture group; ``build_fixtures.py`` (one folder up) only
dispatches to them.  Every group exposes ``build(out) -> GroupResult``.
"""
