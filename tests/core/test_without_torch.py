"""Without PyTorch installed, everything works on the NumPy engine: trainer, frames, metrics, the
Experiment (a flow too), checkpoints, the command line and the app; and asking for torch says what to do."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys
    sys.modules["torch"] = None  # as if not installed: find_spec gives None and `import torch` fails

    import numpy as np

    from ganlab_panel import Experiment, GanConfig, Trainer, cli
    from ganlab_panel.engines.factory import torch_available
    from ganlab_panel.engines.numpy_engine import NumpyEngine

    assert not torch_available()
    trainer = Trainer()  # engine 'auto'
    assert isinstance(trainer.engine, NumpyEngine)
    assert trainer.train(30) == 30 and trainer.diverged is None
    frame = trainer.frame()
    assert frame.iteration == 30 and np.isfinite(frame.heatmap).all() and np.isfinite(frame.gradients).all()
    assert set(trainer.metrics()) == {"kl", "js"}
    wide = Trainer(generator_neurons=100, discriminator_neurons=100)  # auto's torch size, but no torch
    assert isinstance(wide.engine, NumpyEngine)

    try:
        trainer.config.update({"engine": "torch"})
    except ValueError as error:
        print("refused:", error)
    assert trainer.config.engine == "auto" and trainer.iteration == 30

    experiment = Experiment(distribution="ring", seed=1).train(20)
    print("experiment", experiment.iteration, sorted(experiment.metrics))
    from ganlab_panel.engines.flow_numpy import NumpyFlowEngine

    flow = Experiment(model="flow", distribution="ring8", seed=0, flow_steps=4).train(20)
    assert isinstance(flow.trainer.engine, NumpyFlowEngine) and flow.frame().log_density is not None
    assert cli.main(["train", "--model", "flow", "--distribution", "ring8", "--iterations", "5", "--quiet"]) == 0
    pretrained = Experiment.pretrained("ring")
    assert isinstance(pretrained.trainer.engine, NumpyEngine) and pretrained.iteration > 0

    assert cli.main(["train", "--distribution", "line", "--iterations", "20", "--quiet"]) == 0
    assert cli.main(["train", "--distribution", "line", "--iterations", "5", "--set", "engine=torch"]) == 2

    from ganlab_panel.pages.gan_lab import GanLab

    app = GanLab()
    app.step_both()
    assert app.trainer.iteration == 1932 and isinstance(app.trainer.engine, NumpyEngine)  # pretrained + 1
    app.__panel__()
    assert sys.modules["torch"] is None  # nothing got around the block
    print("app ok")
    """
)


def test_everything_runs_on_numpy_without_torch():
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    out, err = result.stdout, result.stderr
    assert "refused: engine: the torch engine needs PyTorch, which is not installed (pip install torch)" in out
    assert "experiment 20 ['js', 'kl']" in out
    assert "line: iteration 20" in out
    assert "error: engine: the torch engine needs PyTorch" in err and "Traceback" not in err
    assert out.rstrip().endswith("app ok")
