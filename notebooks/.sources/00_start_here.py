# %% [markdown]
# # 00 · Start here
#
# Most machine-learning courses stop at `model.fit`. Real systems fail elsewhere: in how data is
# collected, in pipelines, in the gap between clean offline training and noisy online serving,
# and quietly, through drift that nobody monitors. In this workbook you **run, break and repair**
# a small production ML system, one station at a time.
#
# **Learning goals of this chapter**
#
# 1. Know what the workbook teaches and in which order.
# 2. Know how every chapter works: goals, experiments, exercises with self-checks, takeaways.
# 3. Check that your environment is ready (packages, kernel, widgets).
# 4. Understand how seeds make every result reproducible, and how to reset an experiment.

# %% [markdown]
# ## The map
#
# Data is born in a *world*, passes through *collection* (where it gets biased, incomplete,
# mislabelled, late), is *validated*, *trained* on, *served* (where inputs get noisy), *drifts*,
# is *monitored*, and the *loop* decides when to retrain. Each station is a module of the helper
# package `mlsys_helpers`, and each chapter visits one or two stations:
#
# ```
# world ──> collect ──> quality ──> train ──> serve ──> monitor ──> loop
#   ^                                                                 |
#   └──────────── drift (covariate / prior / concept) ────────────────┘
# ```
#
# | chapter | the lesson |
# |---|---|
# | 00 start here | how to use the workbook (this notebook) |
# | 01 the system, not the model | an accurate model inside a broken system fails |
# | 02 prediction, not understanding | shortcut features and extrapolation break pattern matching |
# | 03 when not to use ML | rules vs models, how much data ML needs, measurable value |
# | 04 data is where systems fail | incomplete, biased, outdated, mislabelled data; validation |
# | 05 training vs serving | noisy inputs, skew, latency and cost, defensive serving |
# | 06 drift | covariate, prior and concept drift; the drift lab |
# | 07 monitoring | detectors, false alarms, label delay, performance without labels |
# | 08 the loop | retraining policies compared on accuracy and cost |
# | 09 incident lab | capstone: diagnose production incidents from logs and monitors |
# | 10 shipping and feedback loops | shadow, canary and A/B tests done right; feedback loops and slices |

# %% [markdown]
# ## How a chapter works
#
# - **Learning goals** at the top tell you what you will be able to do.
# - **Experiments** are code cells with a knob (a seed, a rate, a threshold). The text says what
#   should happen when you turn it: change it, re-run, and see whether you were right.
# - **Exercises** end with `answer = None`. Replace `None` with your answer and run the check cell
#   below it: it says *not attempted yet*, *correct*, or *not quite* with a hint. A collapsed
#   **solution** cell follows each exercise; open it only after trying.
# - **Key takeaways** close the chapter, with an **In production** note on the real tools that do
#   this job at scale.
#
# Every chapter runs top to bottom in well under a minute. If you get lost, use
# *Kernel → Restart Kernel and Run All Cells*: you are back to the published results.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import mlsys_helpers as mh

SEED = 42  # every random draw in this notebook flows from this number

# %% [markdown]
# ## Is your environment ready?
#
# The same check runs from a terminal as `python -m mlsys_helpers check`. Every line should say
# `OK`; a `FAIL` line says how to fix it. The most common problem, *widgets show as text instead
# of sliders*, shows up here as a missing **widgets lab extension**.

# %% tags=["nbval-ignore-output"]
# Output not compared by the tests: package versions and kernels differ from machine to machine.
checks = mh.envcheck.run_checks()
for line in checks:
    print(line)
print("ready" if all(c.ok for c in checks) else "fix the FAIL lines above, then restart the kernel")

# %% [markdown]
# ## A five-minute tour of the whole loop
#
# Before the chapters take each station apart, here is the whole system in six short cells. A
# lender predicts which loan applications will default. Read the code lightly: every line is
# explained in a later chapter.
#
# **1 · world.** A simulated world generates historical applications: one row per application,
# the features the lender sees, and `target` (1 = defaulted).

# %%
world = mh.world.LoanWorld()
history = world.sample(6000, start="2024-01-01", freq="h", rng=SEED)
history[list(world.features) + ["target"]].head(3)

# %% [markdown]
# **2 · train.** Split by time (train on the past, test on the most recent quarter) and fit a
# pipeline that carries its preprocessing into serving.

# %%
train, test = mh.train.time_split(history, test_size=0.25)
model = mh.train.make_pipeline_for(train, "target").fit(train, train["target"])
offline_accuracy = mh.train.score(test["target"], model.predict(test), task="classification")
print(f"offline accuracy on the most recent quarter: {offline_accuracy:.3f}")

# %% [markdown]
# **3 · drift and serve.** The model goes live. Unknown to anyone, on 1 December the world
# changes: the debt ratio starts to mean the opposite of what it used to (a *concept drift*,
# chapter 06). The service validates every request against the training data's schema and
# answers from the model, or from a simple rule when a request looks wrong (chapter 05).

# %%
drift = mh.drift.Drift("concept", start="2024-12-01", magnitude=1.0, column="debt_ratio")
live = world.sample(6000, start="2024-09-07", freq="h", drifts=[drift], rng=SEED + 1)
requests = live[list(world.features)]  # what the service sees: features, no outcome
rule = mh.train.RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
schema = mh.quality.infer_schema(train[list(world.features)])
service = mh.serve.ModelService(model, schema=schema, fallback=rule)
served = service.predict_frame(requests)
print(f"{len(served)} requests served; answered by: {served['source'].value_counts().to_dict()}")

# %% [markdown]
# **4 · monitor.** Every 500 requests a monitor compares the inputs with the training data
# (one statistical test per feature), estimates accuracy from the model's own confidence, and,
# once the true outcomes are known, measures real accuracy. In lending an outcome is known only
# months later: here every label arrives `LABEL_DELAY` = 90 days after its decision
# (`mh.collect.delay_labels`), and we look at the monitor on the last day of the stream, with
# only the labels that have arrived by then.

# %%
LABEL_DELAY = pd.Timedelta("90D")
live = mh.collect.delay_labels(
    live, delay=LABEL_DELAY, distribution="fixed", arrival_column="label_time"
)
today = live["timestamp"].max()
monitor = mh.monitor.Monitor(train, features=list(world.features), window=500, model=model)
report = monitor.run(live, as_of=today)
first_alert = report.loc[report["performance_flag"], "start"].min()
print(f"today: {today:%Y-%m-%d}; labels known for decisions up to {today - LABEL_DELAY:%Y-%m-%d}")
print(
    f"drift starts {pd.Timestamp(drift.start):%Y-%m-%d}; first window whose accuracy drops starts {first_alert:%Y-%m-%d}"
)
print(f"its labels (and so its alert) arrive no earlier than {first_alert + LABEL_DELAY:%Y-%m-%d}")

# %%
fig, ax = plt.subplots(figsize=(9, 3.6))
mh.plots.plot_monitor_timeline(
    report,
    metrics=["accuracy", "estimated_accuracy"],
    drift_start=pd.Timestamp(drift.start),
    ylabel="accuracy per window of 500",
    ax=ax,
)
ax.axvline(
    first_alert + LABEL_DELAY, color="grey", linestyle=":", label="first accuracy alert raised"
)
ax.legend(loc="lower left", fontsize=8)
title = "The model fails on 1 December; its inputs and confidence look the same; labels come late"
_ = ax.set_title(title, fontsize=10)

# %%
period = np.where(report["end"] < pd.Timestamp(drift.start), "before the drift", "after the drift")
summary = report.groupby(period, sort=False).agg(
    windows=("window", "size"),
    windows_with_labels=("accuracy", "count"),
    accuracy=("accuracy", "mean"),
    estimated_accuracy=("estimated_accuracy", "mean"),
    input_alarms=("n_drifted", "sum"),
    accuracy_alerts=("performance_flag", "sum"),
)
summary.round(3)

# %% [markdown]
# That one plot is the workbook in miniature. The model is as good as ever *offline*; the
# service answered every request; the inputs look like the training data (an input alarm or
# two in a dozen windows, the orange marker, is the false-alarm rate you pay for testing nine
# things at once, chapter 07); the model is as confident as ever. Yet a third of its decisions
# are now wrong, and only the *labels* reveal it. The vermillion markers sit at the start of the
# windows whose real accuracy dropped, but nobody could see them there: each needs its labels,
# which arrive 90 days later (dotted line), so the first alert comes about three months into
# the failure, and the last windows have no labels at all yet (their accuracy line is missing).
# The drop itself is sudden, a switch on 1 December, to keep the tour short: *quietly* means
# that nothing you can see at once changes, not that the change is slow (chapter 06 shows
# gradual drifts too). Chapters 06-08 are about seeing this sooner and deciding what to do
# about it.
#
# **Experiment.** Change `"concept"` to `"covariate"` in the drift cell (a shift of the debt
# ratio itself, `magnitude` in standard deviations, e.g. `1.0`) and re-run the tour: now the
# input monitor fires, but does accuracy fall?

# %% [markdown]
# ## Seeds: every random draw has a name
#
# Simulations here are random, yet every number you see is reproducible. The rule: **one
# `numpy.random.Generator`, created from a seed at the top of a notebook, is passed to every
# function that draws random numbers** (through its `rng=` argument). Nothing uses global random
# state.

# %%
rng = np.random.default_rng(SEED)
first = rng.normal(size=3)
again = np.random.default_rng(SEED).normal(size=3)
print("first draw :", np.round(first, 4))
print("same seed  :", np.round(again, 4))
print("identical? ", bool(np.array_equal(first, again)))

# %% [markdown]
# A generator *moves forward* as you use it: the next call on `rng` gives new numbers. That is
# what you want inside one experiment (independent draws), and it is why **re-running a single
# cell in the middle of a notebook can give a different result** than running top to bottom.
# To reset an experiment, re-create the generator from its seed (or restart and run all).
#
# **Experiment.** Change `SEED` in the first code cell to any other integer and run all cells
# again: the numbers change (the tour too), but the two lines above still agree.

# %% [markdown]
# ## Do widgets work?
#
# Chapters 06 and 07 have interactive panels. Move the slider below: the label under it should
# change at once. If you see text like `VBox(children=...` instead of a slider, the widget
# extension is missing (see the environment check above and the README's troubleshooting).

# %%
seed_slider = widgets.IntSlider(value=SEED, min=0, max=100, description="seed")
draw_label = widgets.Label()


def show_first_draw(change):
    value = np.random.default_rng(change["new"]).integers(0, 100)
    draw_label.value = f"first draw of integers(0, 100) with seed {change['new']}: {value}"


seed_slider.observe(show_first_draw, names="value")
show_first_draw({"new": seed_slider.value})
widgets.VBox([seed_slider, draw_label])

# %% [markdown]
# ## Exercises
#
# **00.1** Which station watches a model after it has been served? Answer with the module name
# (a string).

# %%
answer = None
mh.exercises.check("00.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = "monitor"
mh.exercises.check("00.1", answer)

# %% [markdown]
# **00.2** What is the first value of `np.random.default_rng(7).integers(0, 1000)`? Compute it,
# don't guess: answer with an integer.

# %%
answer = None
mh.exercises.check("00.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = int(np.random.default_rng(7).integers(0, 1000))
mh.exercises.check("00.2", answer)

# %% [markdown]
# **00.3** Does calling `rng.normal()` twice on the *same* generator give the same number twice?
# Answer `True` or `False`.

# %%
answer = None
mh.exercises.check("00.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
demo = np.random.default_rng(0)
answer = bool(demo.normal() == demo.normal())
mh.exercises.check("00.3", answer)

# %% [markdown]
# ## Key takeaways
#
# - The workbook follows one system through its life: world → collect → quality → train →
#   serve → monitor → loop, with drift acting all along the way.
# - Every chapter: goals, experiments with knobs, self-checked exercises, takeaways.
# - Every random draw flows from an explicit seed; restart and run all to get back to the
#   published results.
#
# **In production.** Teams pin their environments (lock files, containers) and seed their
# experiments for the same reason you do here: a result nobody can reproduce cannot be debugged.
# Tools such as *MLflow* or *Weights & Biases* record seeds, versions and results per run.
#
# Next: **01 · the system, not the model**.
