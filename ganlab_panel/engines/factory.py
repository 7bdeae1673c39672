"""Which engine to build, and building it: the one module that knows every engine (none imports it back)."""

from __future__ import annotations

import importlib.util

from ganlab_panel.engines.base import Architecture, Hyper

ENGINES = ("torch", "numpy")

NUMPY_FASTER_UP_TO = 15_000
"""Multiply-adds per sample (Architecture.multiply_adds) up to which 'auto' picks NumPy over torch on
the CPU. Measured at batch 150, kD 2, kG 1, one thread each (2 shared cores; figures drift ~30%),
NumPy's speed over torch's: 3.3x at GAN Lab's defaults (184), 2.4x at 1 x 30 neurons (2,010), 2-2.9x at
3 x 30 (5,610), 1.6x at 1 x 50 (5,350), 1.5x at 2 x 50 (10,350), 0.6-0.9x at 1 x 100 (20,700), 1.1x at
3 x 70 (29,890), 0.8-1.1x at 5 x 100 (100,700): NumPy's calls are cheaper, torch's float32 arithmetic is.
Assumes NumPy's BLAS on one thread: with OpenBLAS's default threads on 2 busy cores, NumPy measured
up to 3x slower from 50 neurons on (benchmarks/speed.py says how to set it)."""

TORCH_MISSING = "the torch engine needs PyTorch, which is not installed (pip install torch); choose engine 'numpy'"


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def resolve_engine(name: str, architecture: Architecture | None = None, device: str = "cpu") -> str:
    """The engine to build: 'auto' is torch on a non-CPU device; otherwise NumPy while the networks are
    small enough for it to train faster (NUMPY_FASTER_UP_TO), or whenever torch is not installed. A rule
    from measured figures, not a measurement: timing both would import torch (~2 s) to choose NumPy."""
    if name not in ("auto", *ENGINES):
        raise ValueError(f"unknown engine {name!r}; choose one of: auto, {', '.join(ENGINES)}")
    if name == "numpy" and device != "cpu":
        raise ValueError(f"the numpy engine runs on the CPU only, not on device {device!r}; choose engine 'torch'")
    if name == "auto":
        small = architecture is None or architecture.multiply_adds <= NUMPY_FASTER_UP_TO
        if device == "cpu" and (small or not torch_available()):
            return "numpy"
        name = "torch"
    if name == "torch" and not torch_available():
        raise RuntimeError(TORCH_MISSING if device == "cpu" else f"device {device!r}: {TORCH_MISSING}")
    return name


def create_engine(name: str, architecture: Architecture, weights, hyper: Hyper, device: str = "cpu"):
    """Build the named engine ('auto', 'torch', 'numpy') with the given initial weights."""
    name = resolve_engine(name, architecture, device)
    if name == "numpy":
        from ganlab_panel.engines.numpy_engine import NumpyEngine

        return NumpyEngine(architecture, weights, hyper)
    from ganlab_panel.engines.torch_engine import TorchEngine

    return TorchEngine(architecture, weights, hyper, device=device)


def create_flow_engine(name: str, architecture, weights, hyper, device: str = "cpu"):
    """Build the named flow engine ('auto', 'torch', 'numpy') for a flow_base.FlowArchitecture. 'auto' is NumPy
    on the CPU (torch elsewhere, or NumPy without torch): measured at batch 256 on one thread, NumPy's float32
    trains every size faster (3 x 64: 3,485 against 1,587 iterations/s; 3 x 128: 1,270 against 693; 4 x 256:
    226 against 200), its step being a few large products rather than GAN Lab's many small ones."""
    if name == "auto" and device == "cpu":
        name = "numpy"
    name = resolve_engine(name, architecture, device)
    if name == "numpy":
        from ganlab_panel.engines.flow_numpy import NumpyFlowEngine

        return NumpyFlowEngine(architecture, weights, hyper)
    from ganlab_panel.engines.flow_torch import TorchFlowEngine

    return TorchFlowEngine(architecture, weights, hyper, device=device)
