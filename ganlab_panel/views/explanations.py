"""Short plain-language explanations of every part of the app, as markdown, in GAN Lab's spirit.

`EXPLANATIONS` maps a topic to its text; `COMPONENT_TOPICS` and `SETTING_TOPICS` say which topic
explains each overview component and each setting, so the app can show the right text beside it.
"""

from __future__ import annotations

from ganlab_panel.core.settings import SETTINGS
from ganlab_panel.core.timeline import CHECKPOINT_EVERY, MAX_BYTES
from ganlab_panel.files.exports import GIF_MAX_FRAMES

EXPLANATIONS: dict[str, str] = {
    # -- what you see ------------------------------------------------------------------------------
    "real": (
        "**Real samples** (green dots) are drawn from the distribution the GAN should learn. "
        "The generator never sees them: it learns about them only through the discriminator's judgement."
    ),
    "fake": (
        "**Fake samples** (purple dots) are what the generator makes from a fixed batch of noise. "
        "Training has succeeded when they are spread just like the real samples."
    ),
    "noise": (
        "**Noise** is the generator's only input: random numbers in 1 or 2 dimensions, uniform on [0, 1] "
        "or a truncated Gaussian around 0.5. Each noise point becomes one fake sample. "
        "Changing the noise starts a new experiment."
    ),
    "generator": (
        "The **generator** is a neural network that turns noise into 2-D points. "
        "It is trained to fool the discriminator, that is, to make its fake samples look real."
    ),
    "discriminator": (
        "The **discriminator** is a neural network that looks at a 2-D point and outputs D(x), its "
        "probability that the point is real. It is trained to tell real samples from fake ones."
    ),
    "heatmap": (
        "The **heatmap** shows the discriminator's verdict at every point of the plane: green where points "
        "look real, purple where they look fake, pale where it cannot tell. "
        "When the generator has won, the whole map turns pale (D(x) = 0.5 everywhere)."
    ),
    "predictions": (
        "**Predictions** colour each real and fake sample by the discriminator's output D(x), on the "
        "heatmap's purple (fake) to green (real) scale. A good discriminator paints real samples green "
        "and fake ones purple."
    ),
    "gradients": (
        "**Gradients** show, for each fake sample, the direction in which it should move to look more real "
        "to the discriminator; a longer line means a stronger push. The generator changes its weights "
        "so that its samples follow these arrows."
    ),
    "manifold": (
        "The **manifold** shows how the generator transforms the whole noise space: a grid laid over the "
        "noise (a line for 1-D noise) and pushed through the generator. Cells are shaded by how much the "
        "generator stretches or squeezes them; folds and squeezes show where the fake samples pile up."
    ),
    "discriminator-loss": (
        "The **discriminator's loss** is low when it classifies real and fake samples correctly. "
        "With log loss it sits near 1.35 when the discriminator can no longer tell them apart."
    ),
    "generator-loss": (
        "The **generator's loss** is low when the discriminator takes its fake samples for real. "
        "With log loss it sits near 0.69 (log 2) when the discriminator is fooled half of the time."
    ),
    "loss_charts": (
        "The **loss charts** plot both networks' losses over the iterations. They rarely just fall: the "
        "two networks compete, so the curves swing and settle. A discriminator loss stuck near 0 means "
        "the discriminator wins easily; the ideal is D(x) = 0.5, where log losses are about 1.35 and 0.69."
    ),
    "divergences": (
        "**KL and JS divergence** measure how far the fake samples' distribution is from the real one, "
        "both counted on a 30 × 30 grid, in bits; lower is better and 0 means a perfect match. "
        "JS is symmetric and at most 1; KL(real ‖ fake) grows large when the generator misses part of the data."
    ),
    "slow_motion": (
        "**Slow motion** walks through one iteration in ten highlighted sub-steps, 1.25 s each: five for "
        "the discriminator's update (blue paths) and five for the generator's (purple paths). "
        "It shows which parts of the model each update uses."
    ),
    "step": (
        "The **step** buttons train exactly one discriminator step, one generator step, or one whole "
        "iteration (kD discriminator steps, then kG generator steps), so you can watch each move."
    ),
    "timeline": (
        "The **timeline** scrubs back through training while paused (drag it, or press the arrow "
        f"and Home keys on it): every view shows that earlier frame, and the app keeps frames within "
        f"{MAX_BYTES // 2**20} MiB, thinning them evenly so the whole run stays covered. **Resume from here** "
        f"goes back to the training state kept at or before that frame (one every {CHECKPOINT_EVERY} iterations, "
        "spaced wider as the run grows) and trains on exactly as it did then, with the settings of that moment, "
        "dropping the later frames; Play instead goes on from the latest frame."
    ),
    "downloads": (
        "**Save and load**: download the model (a checkpoint of settings, weights and iteration), the settings "
        "(JSON), the losses and divergences so far (CSV), a picture of the layered view as shown (PNG), or an "
        f"animation of the run from the timeline's frames (GIF, at most {GIF_MAX_FRAMES} frames). Uploading a "
        "checkpoint continues training from it; a file that is not a valid checkpoint changes nothing."
    ),
    # -- what you set ------------------------------------------------------------------------------
    "distribution": (
        "Choose the **real data distribution** the generator should learn, or draw your own. "
        "Choosing one loads GAN Lab's settings for it and starts a new experiment."
    ),
    "networks": (
        "**Hidden layers and neurons** set each network's size. More capacity lets the generator bend the "
        "noise into complex shapes and the discriminator draw finer boundaries, but can make training "
        "slower and less stable. Changing them starts a new experiment."
    ),
    "optimizer": (
        "The **optimizer** turns gradients into weight changes: SGD steps by learning rate × gradient; "
        "Adam adapts the step for each weight from running averages of past gradients, whose memory its "
        "**betas** set (0.9 and 0.999 by default; WGAN-GP papers use 0.5 and 0.9). It can be changed while training."
    ),
    "learning_rate": (
        "The **learning rate** sets the size of each update. Too small and little happens; too large "
        "and training oscillates or blows up. Each network has its own, and both can be changed while training."
    ),
    "loss": (
        "The **loss** defines what each network minimises, and can be changed while training. Log loss "
        "(GAN Lab's) gives the generator the non-saturating -log D(fake); minimax keeps the paper's "
        "log(1 - D(fake)), whose gradient vanishes while D easily spots fakes. Least squares penalises "
        "the squared distance of D(x) from its target, hinge trains D as a margin classifier, and WGAN-GP "
        "scores samples with a critic instead of a probability."
    ),
    "wgan_gp": (
        "**WGAN-GP** (Wasserstein GAN with gradient penalty) makes the discriminator a critic: it scores real "
        "samples high and fake ones low, and the gap between their average scores estimates how far apart the "
        "two distributions are. A **penalty** keeps the critic's slope near 1 at points between real and fake "
        "samples (weight 10 in the paper; its authors' own 2-D experiments used 0.1), and the heatmap shows its "
        "score around the median instead of a probability. It trains best with Adam, betas 0.5 and 0.9, and a "
        "small learning rate such as 0.001."
    ),
    "real_label": (
        "The **real label** is the target D aims at for real samples in the log losses. GAN Lab uses 0.95 "
        "rather than 1 (one-sided label smoothing), so D never becomes fully sure and keeps its gradients "
        "for the generator informative; 1 turns smoothing off."
    ),
    "pack": (
        "**Packing** (PacGAN) lets the discriminator judge several samples at once, concatenated into one "
        "input, so it can notice when fake samples are too much alike, a sign of mode collapse. Batches are "
        "rounded up to whole packs, and the heatmap shows D for copies of one point; changing it starts a new "
        "experiment."
    ),
    "k_steps": (
        "**kD and kG** are the discriminator and generator updates in one iteration, each on a fresh batch. "
        "Training the discriminator more often (kD > kG) keeps its advice to the generator up to date."
    ),
    "batch_size": (
        "The **batch size** is how many real samples and noise points each update uses (150 in GAN Lab). "
        "Larger batches give steadier but slower updates."
    ),
    "seed": (
        "The **seed** fixes the random starting weights, data and noise, so the same settings replay the same run."
    ),
    "engine": (
        "The **engine** is the library that trains the networks, and the **device** where it runs "
        "(the CPU, or a GPU if there is one). Changing either starts a new experiment."
    ),
    # -- flow matching's settings --------------------------------------------------------------------
    "model": (
        "The **model** is what learns the data: a GAN (a generator against a discriminator) or a flow, "
        "whose velocity network learns to carry noise to data along straight lines. Changing it starts a new "
        "experiment."
    ),
    "flow_activation": (
        "The **activation** bends each layer of the velocity network: SiLU and tanh are smooth, so the field "
        "and its density are too; ReLU makes them piecewise flat. Changing it starts a new experiment."
    ),
    "flow_schedule": (
        "The **learning-rate schedule**: cosine decay lowers the rate smoothly to 1% of itself over the decay "
        "iterations, so the field settles and the samples sharpen onto the data; constant keeps it."
    ),
    "flow_source": (
        "The **source distribution** is where every sample starts at t = 0: a gaussian blob or uniform "
        "noise over the square. The flow learns to carry it to the data at t = 1."
    ),
    "flow_sampling": (
        "**Sampling** follows the velocity field from t = 0 to 1 in small steps: Euler steps along the "
        "velocity at each step's start, midpoint along the velocity halfway, twice the work for a far "
        "smaller error. More steps follow curved paths more closely."
    ),
    "flow_time": (
        "**Time t** picks the moment shown, from the source (t = 0) to the learned data (t = 1): the samples "
        "carried that far, the velocity field then, and its density."
    ),
    "flow_heatmap": (
        "The flow's **heatmap** shows the model's log-density at time t (how likely each point is, computed "
        "exactly by following the flow back to the source), or the speed of its velocity field."
    ),
    # -- a flow's parts (the flow page's overview graph, layers and controls) ----------------------------
    "flow_data": (
        "**Data x1** (green dots) are samples of the distribution the flow should learn. Training pairs each "
        "with a source point x0; the flow learns a velocity that carries the source onto the data."
    ),
    "flow_interpolation": (
        "**x_t = (1 - t) x0 + t x1** is a point on the straight path from a source point x0 to a data point x1, "
        "at a time t drawn uniformly from 0 to 1. Training asks the velocity network what the velocity at x_t is."
    ),
    "flow_target": (
        "The **target x1 - x0** is the direction and speed of that straight path: moving at it, x0 reaches x1 at "
        "t = 1. Many paths cross at the same x_t, so the network learns their average there, a field whose "
        "own paths never cross."
    ),
    "flow_network": (
        "The **velocity network** v(x, t) gives each point at each time a velocity (its arrows: the velocity "
        "field). Following the arrows from t = 0 to 1 carries the source onto the data."
    ),
    "flow_loss": (
        "The **loss** is the mean squared difference between the predicted velocity v(x_t, t) and the target "
        "x1 - x0, one fresh batch of pairs per iteration. It levels off above 0 (crossing paths disagree), so "
        "judge the samples and the KL/JS chart rather than the loss alone."
    ),
    "flow_gradients": (
        "The loss's **gradients** update the velocity network's weights, one step per iteration, with the "
        "optimizer and learning rate of the strip above the graph."
    ),
    "flow_samples": (
        "**Samples** (purple dots) are a fixed batch of source points carried by the flow to the time t shown. "
        "At t = 1 they are the model's samples, which should spread just like the data."
    ),
    "flow_density": (
        "The **density** heatmap is the model's probability density at time t (purple where its samples "
        "gather), exact by the instantaneous change of variables: follow each point back to t = 0 and subtract "
        "how much the field spreads along the way, log p_t(x) = log p_0(x0) - ∫ div v dt."
    ),
    "flow_speed": (
        "The **speed** heatmap shows |v(x, t)|, how fast points move at time t: brown where the field hurries, "
        "pale where it rests."
    ),
    "flow_field": (
        "The **velocity field**'s arrows show v(x, t) on a grid of points: each is the way a point there moves "
        "in a tenth of the time from 0 to 1 (no longer than the grid's spacing)."
    ),
    "flow_trajectories": (
        "**Trajectories** are the paths of 40 samples from the source (t = 0) to t = 1, step by step; circles "
        "mark where they are at t, dashes the way still ahead. Nearly straight paths are what flow matching "
        "aims for: few steps follow them well."
    ),
    "flow_grid": (
        "The **carried grid** is a grid over the square at t = 0 carried by the flow to t, as the GAN's manifold "
        "is the noise grid pushed through the generator. Cells the flow squeezes darken (samples pile up "
        "there), stretched ones fade."
    ),
    "flow_step": (
        "**One step** trains the velocity network once on a fresh batch and draws that batch over the layers: "
        "x0, x1, their paths, x_t, the target (green) and predicted (purple) velocities."
    ),
    "flow_slow_motion": (
        "**Slow motion** walks through one training step in five sub-steps (source batch, data batch, "
        "interpolation, prediction against the target, loss and update), then through a sampling run, ODE step "
        "by ODE step. The overview graph highlights each sub-step's parts and the layers show its data."
    ),
    "flow_sweep": (
        "**Sweep t** plays the flow from t = 0 to 1 in two seconds: the samples travel from the source to the "
        "data, and the field, trajectories and grid follow."
    ),
    "flow_loss_chart": (
        "The **loss chart** plots the velocity network's loss over the iterations: it falls fast, then levels "
        "off where crossing paths disagree (never at 0)."
    ),
    "flow_divergences": (
        "**KL and JS divergence** measure how far the flow's samples (10,000 source points carried to t = 1) "
        "are from the real distribution, on a 30 × 30 grid, in bits; lower is better and 0 is a perfect match."
    ),
    "flow_compare": (
        "**Compare** opens a GAN beside a flow on the same data and seed, each with this page's settings of its "
        "model, trained in step: which learns the data better, and faster?"
    ),
}
"""Topic -> 1-3 sentences of markdown."""

COMPONENT_TOPICS: dict[str, str] = {
    "noise": "noise",
    "generator": "generator",
    "fake": "fake",
    "real": "real",
    "discriminator": "discriminator",
    "real-predictions": "predictions",
    "fake-predictions": "predictions",
    "discriminator-loss": "discriminator-loss",
    "generator-loss": "generator-loss",
    "discriminator-gradients": "gradients",
    "generator-gradients": "gradients",
}
"""Model overview component (slow_motion.COMPONENTS) -> the topic explaining what its plot shows."""

FLOW_COMPONENT_TOPICS: dict[str, str] = {
    "data": "flow_data",
    "source": "flow_source",
    "interpolation": "flow_interpolation",
    "network": "flow_network",
    "loss": "flow_loss",
    "target": "flow_target",
    "gradients": "flow_gradients",
    "ode": "flow_sampling",
    "samples": "flow_samples",
    "density": "flow_density",
}
"""The flow's overview components (views/flow_overview_graph.py NODES) -> their topics."""

SETTING_TOPICS: dict[str, str] = {name: setting.topic for name, setting in SETTINGS.items()}
"""Every GanConfig setting -> the topic explaining it (Setting.topic)."""


def explain(name: str) -> str:
    """The explanation for a topic, an overview component or a setting name."""
    topic = name if name in EXPLANATIONS else COMPONENT_TOPICS.get(name) or SETTING_TOPICS.get(name)
    if topic is None:
        raise KeyError(f"no explanation for {name!r}; topics: {', '.join(EXPLANATIONS)}")
    return EXPLANATIONS[topic]
