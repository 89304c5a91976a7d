# %% [markdown]
# # 08 · The loop
#
# Your default-risk model has been live for a while. It was good on launch day; chapters 06 and
# 07 showed that it will not stay good, and how to notice. This chapter answers the next
# question, the one your manager asks: **when do we retrain, and what does that cost?** You
# will run the same model through the same drifting year under five retraining policies, put
# a price on labels, retraining and mistakes, and see that the cheapest policy depends on the
# shape of the drift and on how late the labels arrive. Then you do it again on real data: a
# year of hourly bike rentals in Washington D.C.
#
# **Learning goals of this chapter**
#
# 1. Draw the lifecycle as a loop (define, collect, train, deploy, monitor, learn) and say what
#    each turn of it costs.
# 2. Compare retraining policies (never, on a schedule, on a drift alarm, on a performance drop)
#    on accuracy over time *and* on total cost, with `mh.loop.simulate`.
# 3. Explain why label delay can change which policy wins.
# 4. Show on a real data set (bike sharing 2011) that a model trained in winter fails in summer
#    unless it is retrained, and which policy keeps up with a world that moves continuously.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeRegressor

import mlsys_helpers as mh
from mlsys_helpers.loop import Never, OnDrift, OnPerformanceDrop, Periodic

pd.set_option("display.precision", 3)
SEED = 8  # each experiment below uses rng=SEED + k with its own k, so each can be re-run alone

# %% [markdown]
# ## 1 · The lifecycle is a loop
#
# A project does not end at deployment. It goes round: **define** the decision and its value,
# **collect** data and labels, **train**, **deploy**, **monitor**, and **learn** from what the
# monitor and the labels say, which leads back to collecting (fresh labels) and training again,
# and sometimes to redefining the problem. Every turn costs labels, compute and people's time;
# every turn *not* taken costs wrong decisions.

# %%
stages = ["define", "collect", "train", "deploy", "monitor", "learn"]
angles = np.pi / 2 - np.arange(len(stages)) * 2 * np.pi / len(stages)
xy = np.c_[np.cos(angles), np.sin(angles)]
box = {"boxstyle": "round,pad=0.4", "fc": "#E8F1FA", "ec": "#0072B2"}
arrow = {"connectionstyle": "arc3,rad=-0.25", "arrowstyle": "-|>", "mutation_scale": 14,
         "color": "#555555", "shrinkA": 26, "shrinkB": 26}  # fmt: skip
fig, ax = plt.subplots(figsize=(5, 4.2))
for k, stage in enumerate(stages):
    ax.text(*xy[k], stage, ha="center", va="center", fontsize=12, bbox=box)
    ax.add_patch(FancyArrowPatch(xy[k], xy[(k + 1) % len(stages)], **arrow))
ax.text(0, 0.05, "mh.loop.simulate\nturns this loop", ha="center", va="center", color="#D55E00")
ax.set_xlim(-1.45, 1.45)
ax.set_ylim(-1.35, 1.35)
ax.set_aspect("equal")
ax.axis("off")
_ = ax.set_title("The ML lifecycle: a loop, not a line")

# %% [markdown]
# `mh.loop.simulate` runs the inner part of that loop (deploy, monitor, learn, train) period by
# period. In each period (here: a week) the current model serves 500 loan applications; the
# labels of a period arrive `label_delay` weeks later; a **policy** looks at what has arrived and
# decides whether to retrain on the latest labelled rows. `help(mh.loop)` has the details. Five
# policies:
#
# | policy | retrains when | needs |
# |---|---|---|
# | `Never()` | never | nothing (buys no labels) |
# | `Periodic(4)` | every 4 weeks | labels |
# | `Periodic(1)` | every week | labels |
# | `OnDrift(DDM())` | a streaming detector (chapter 07) fires on the model's errors | labels |
# | `OnPerformanceDrop(0.05)` | the error on fresh labels is 5 points above its level right after the last retraining | labels |

# %% [markdown]
# ## 2 · A year with two drifts
#
# The world is the loan world of earlier chapters, with two scheduled changes:
#
# - **week 8, sudden**: a debt-consolidation product launches, and how debt turns into default
#   flips (a concept drift of magnitude 1; exaggerated so you can see it);
# - **weeks 20 to 28, gradual**: inflation slowly changes what an income means (the effect of
#   `income` fades, magnitude 0.8), one application at a time.
#
# Every policy sees exactly the same applications (`compare_policies` samples the world once).

# %%
START, WEEK = pd.Timestamp("2024-01-01"), pd.Timedelta("7D")
WEEKS, PER_WEEK = 36, 500
world = mh.world.LoanWorld()
drifts = [
    mh.drift.Drift("concept", start=START + 8 * WEEK, magnitude=1.0),
    mh.drift.Drift(
        "concept",
        start=START + 20 * WEEK,
        pattern="gradual",
        width=8 * WEEK,
        magnitude=0.8,
        column="income",
    ),
]
COSTS = {"label_cost": 0.2, "retrain_cost": 300.0, "error_cost": 10.0}  # dollars
policies = {
    "never": Never(),
    "every 4 weeks": Periodic(4),
    "every week": Periodic(1),
    "on drift alarm": OnDrift(mh.detect.DDM()),
    "on performance drop": OnPerformanceDrop(0.05),
}
SIM = {"periods": WEEKS, "period_size": PER_WEEK, "start": START, "period": WEEK} | COSTS
runs = mh.loop.compare_policies(world, None, policies, drifts=drifts, rng=SEED, **SIM)
runs[["policy", "period", "accuracy", "retrained", "cost"]].head(3)

# %% [markdown]
# One row per policy and week: the week's accuracy, whether the policy retrained at its end,
# and the running cost. Now the picture (`mh.plots.plot_policy_runs`): accuracy per week, a
# triangle where a policy retrained, dashed lines where the drifts start.


# %%
axes = mh.plots.plot_policy_runs(runs, drift_starts=[8, 20])
_ = axes[0].figure.suptitle("Same model, same data, five retraining policies")

# %% [markdown]
# Read it top to bottom:
#
# - **never** drops from about 0.88 to about 0.65 at week 8 and sinks further in the gradual
#   drift. It pays nothing for labels or retraining, and a lot for mistakes.
# - **every week** recovers one week after each change: the best accuracy, at 35 retrainings
#   (one at the end of every week but the last: a model trained after the last week would never
#   serve, so the simulation neither trains nor bills it).
# - **every 4 weeks** is late by up to four weeks after each change.
# - **on drift alarm** and **on performance drop** sleep through the quiet weeks and retrain a
#   handful of times, right after the sudden drift and during the gradual one. Notice that
#   they end the year *below* the weekly schedule: a performance trigger compares with its own
#   baseline, and a model retrained halfway through a gradual drift sets a mediocre baseline
#   that it then defends (look at **on performance drop** after week 24).
#
# Accuracy alone says "retrain every week". Money says something else.

# %%
last = runs.groupby("policy", sort=False).last()
costs = pd.DataFrame(
    {
        "retrains": last["n_retrains"],
        "mean accuracy": runs.groupby("policy", sort=False)["accuracy"].mean(),
        "labels": last["cost_labels"],
        "retraining": last["cost_retraining"],
        "errors": last["cost_errors"],
        "total": last["cost"],
    }
).sort_values("total")
MONEY = ["labels", "retraining", "errors", "total"]  # dollars
costs[MONEY] = costs[MONEY].round().astype(int)
costs

# %% [markdown]
# The bill has three parts: **labels** (someone checks what happened to each loan: \$0.20 a
# loan), **retraining** (an engineer validates and ships each new model: \$300), and **errors**
# (a wrong decision: \$10); the table is in dollars. Never is by far the most expensive: it
# saves on labels and retraining and loses it many times over in mistakes. Retraining every
# week buys the fewest errors, but its retraining bill eats the gain. The two **triggers**
# (drift alarm, performance drop) retrain only when the evidence says so and are the cheapest:
# which of the two comes first depends on the seed, that a trigger beats every schedule does
# not.
#
# **Experiment.** Set `retrain_cost` to 0 in `COSTS` and re-run from there: retraining every
# week becomes the cheapest (it has the fewest errors). Set it to 3,000: the trigger policies
# win by a wider margin.

# %% [markdown]
# **08.1** Suppose each retraining cost **\$3,000** instead of \$300 (the experiment). Which policy
# would be cheapest then? You do not need to re-run the simulation: the policies' decisions do
# not depend on the price. Answer with its name as in the table.

# %%
answer = None
mh.exercises.check("08.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
expensive = last["cost_labels"] + last["cost_errors"] + 3_000 * last["n_retrains"]
print(expensive.sort_values().round().astype(int).to_string())
answer = expensive.idxmin()
mh.exercises.check("08.1", answer)

# %% [markdown]
# **08.2** Retraining every week makes far fewer mistakes than never retraining, but buys labels
# and retrains every week. Below which retraining cost (in dollars) would "every week" be cheaper
# than "never"? Compute the break-even price from `last`: what it saves (errors, minus the labels
# never buys), divided by the retrainings it needs. Answer to the dollar.

# %%
answer = None
mh.exercises.check("08.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
weekly_bill, never_bill = last.loc["every week"], last.loc["never"]
saved_by_weekly = (never_bill["cost_errors"] + never_bill["cost_labels"]) - (
    weekly_bill["cost_errors"] + weekly_bill["cost_labels"]
)
answer = float(saved_by_weekly / (weekly_bill["n_retrains"] - never_bill["n_retrains"]))
mh.exercises.check("08.2", answer)

# %% [markdown]
# ## 3 · Label delay changes who wins
#
# Everything above assumed that the outcome of a loan is known at the end of its week. Real
# defaults take months. With `label_delay=4`, the labels of week *p* arrive at the end of week
# *p* + 4: every label-based policy is four weeks late, and it retrains on four-week-old data.
#
# Two worlds: the one above (changes that **stay**), and a **campaign** world where the change
# comes and goes: every other month a promotion flips how debt relates to default for four
# weeks, then the old concept returns (a recurring concept drift).

# %%
campaign = mh.drift.Drift(
    "concept", start=START + 6 * WEEK, pattern="recurring", period=8 * WEEK, magnitude=1.0
)
contenders = {k: policies[k] for k in ["never", "every 4 weeks", "on performance drop"]}
scenarios = {"changes that stay": drifts, "a campaign that comes and goes": [campaign]}
delay_runs = pd.concat(
    {
        (scenario, f"{delay} weeks"): mh.loop.compare_policies(
            world, None, contenders, drifts=drifts_here, label_delay=delay, rng=SEED + 1, **SIM
        )
        .groupby("policy", sort=False)["cost"]
        .last()
        for scenario, drifts_here in scenarios.items()
        for delay in (0, 4)
    },
    axis=1,
    names=["world", "label delay"],
)
for (scenario, delay), cheapest in delay_runs.idxmin().items():
    print(f"{scenario}, label delay {delay}: cheapest is {cheapest}")
delay_runs.round().astype(int)

# %% [markdown]
# When changes **stay**, delay makes every policy
# pay more, but the ranking holds: being four weeks late to a permanent change is still much
# better than never arriving. When the change **comes and goes**, a four-week delay is half a
# campaign cycle: by the time the labels say "the world changed", it has changed back, and the
# policy retrains on the regime that just ended. Reacting becomes *worse than doing nothing*,
# and **never** wins.
#
# This is why teams with slow labels lean on label-free signals (input drift, confidence-based
# estimates from chapter 07) to decide *when* to look, and on models that include the season
# (a `campaign` feature, a month feature) rather than chasing it by retraining.
#
# **Experiment.** Replace `(0, 4)` by `(0, 1, 4)`: even a one-week delay hands the campaign
# world to never. The trigger then retrains one week after each switch and has the right model
# for only two of the four weeks of each regime, no better than never, and it pays for labels
# and retraining on top.

# %% [markdown]
# **08.3** Run the campaign world with a **1-week** label delay (same `rng=SEED + 1`). How many
# dollars more than never does the performance trigger pay over the 36 weeks? (Negative if it
# pays less; to the dollar.)

# %%
answer = None
mh.exercises.check("08.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
one_week = mh.loop.compare_policies(
    world, None, contenders, drifts=[campaign], label_delay=1, rng=SEED + 1, **SIM
)
final_cost = one_week.groupby("policy", sort=False)["cost"].last()
print(final_cost.round().astype(int).to_string())
answer = float(final_cost["on performance drop"] - final_cost["never"])
mh.exercises.check("08.3", answer)

# %% [markdown]
# ## 4 · Real data: a bike-sharing year
#
# Capital Bikeshare's hourly rentals in 2011 (8,645 hours, `mh.datasets.load_bikeshare_2011()`):
# the hour, the weekday, holidays, the weather and the temperature; the target is the number of
# bikes rented (`bikers`). We train a regression tree on **January and February** and serve the
# rest of the year in two-week periods. Nothing is simulated: spring and summer simply arrive,
# with warmer temperatures the winter model has never seen and many more riders.

# %%
bikes = mh.datasets.load_bikeshare_2011().astype({"bikers": float})  # float: a regression target
FEATURES = [
    "hr",
    "weekday",
    "workingday",
    "holiday",
    "weathersit",
    "temp",
    "atemp",
    "hum",
    "windspeed",
]
winter = int((bikes["timestamp"] < "2011-03-01").sum())  # rows of January and February
TWO_WEEKS = 14 * 24
tree = mh.train.make_pipeline_for(
    bikes,
    "bikers",
    features=FEATURES,
    model=DecisionTreeRegressor(max_depth=10, min_samples_leaf=5, random_state=SEED),
)
BIKE_SIM = {
    "period_size": TWO_WEEKS,
    "train_size": winter,
    "features": FEATURES,
    "target": "bikers",
    "retrain_cost": 200.0,
    "error_cost": 0.1,
}
bike_policies = {
    "never": Never(),
    "every 8 weeks": Periodic(4),
    "every 2 weeks": Periodic(1),
    "on performance drop": OnPerformanceDrop(tolerance=20.0),  # 20 more bikes of MAE
}
bike_runs = mh.loop.compare_policies(
    bikes, tree, bike_policies, periods=(len(bikes) - winter) // TWO_WEEKS, **BIKE_SIM
)
print(
    f"{len(bikes):,} hours of {bikes['timestamp'].dt.year.iloc[0]}: trained on {winter} winter "
    f"hours; served {bike_runs['period'].nunique()} two-week periods"
)

# %% [markdown]
# The error is now the **mean absolute error** (MAE, in bikes per hour). Labels are free and
# instant here: a rental is counted the moment it happens. So only retraining (\$200) and errors
# (\$0.10 per bike of error, roughly the cost of a truck moving bikes around) are priced.

# %%
axes = mh.plots.plot_policy_runs(bike_runs, date_ticks=4)
axes[-1].figure.suptitle("Bike rentals 2011: a winter model meets the summer")
for ax in axes:
    ax.set_ylabel("MAE (bikes/h)")

# %%
bike_last = bike_runs.groupby("policy", sort=False).last()
bike_costs = pd.DataFrame(
    {
        "retrains": bike_last["n_retrains"],
        "mean MAE": bike_runs.groupby("policy", sort=False)["mae"].mean(),
        "worst MAE": bike_runs.groupby("policy", sort=False)["mae"].max(),
        "retraining": bike_last["cost_retraining"],
        "errors": bike_last["cost_errors"],
        "total": bike_last["cost"],
    }
).sort_values("total")
bike_costs[MONEY[1:]] = bike_costs[MONEY[1:]].round().astype(int)
bike_costs

# %% [markdown]
# The winter model is good in early March (MAE around 25 bikes) and off by four to five times
# that in summer: it has never seen a warm evening full of riders. Every retraining policy
# helps, but the ranking differs from the loan world. Here the world does not jump, it **moves
# continuously** (spring, then summer, then autumn), and the performance trigger retrains once,
# sets its baseline in spring, and then accepts an error almost twice as large as the schedule's:
# "no worse than right after the last retraining" is a weak promise in a world that keeps
# moving. A **schedule** wins because the drift is steady and labels are free.
#
# **Experiment.** Lower the trigger's `tolerance` to 10: it retrains about four times and
# closes about half of its gap to the schedule. Set `max_depth=3` in the tree: every policy's
# MAE rises (the schedule's mean from about 35 to about 64 bikes): retraining cannot fix a model
# that is too simple for the data.

# %% [markdown]
# **08.4** Over the whole year, how many times larger is the *never* policy's mean MAE than the
# mean MAE of the best schedule, *every 2 weeks*? Compute it from `bike_runs` (a float; two
# decimals are enough).

# %%
answer = None
mh.exercises.check("08.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
mean_mae = bike_runs.groupby("policy")["mae"].mean()
answer = float(mean_mae["never"] / mean_mae["every 2 weeks"])
mh.exercises.check("08.4", answer)

# %% [markdown]
# ## 5 · The same effort: a better model, or a monitor?
#
# "Monitoring can matter more than training" is easy to say. Test it. The team has one
# engineer-month to spend before launch, and two ways to spend it:
#
# - **a better model**: collect ten times more labelled history (5,000 loans instead of 500)
#   and use gradient-boosted trees instead of the plain logistic regression; then ship it and
#   leave it alone (`Never`: no labels bought after launch, no retraining);
# - **a monitor**: keep the plain model trained on 500 loans, and build the loop around it:
#   buy each week's labels, watch the error, retrain on a 5-point drop (`OnPerformanceDrop`).
#
# Both cost the same month up front (the 4,500 extra labels of the first option, \$900, are
# left out of its bill; they would only widen the gap). Run both through a whole year of the
# loan world of section 2 (the same two drifts, then 24 more weeks), at the same prices:

# %%
YEAR = {"periods": 52, "period_size": PER_WEEK, "start": START, "period": WEEK} | COSTS
columns_only = world.sample(10, rng=SEED)  # make_pipeline_for only reads the column names
better_model = mh.train.make_pipeline_for(
    columns_only, model=HistGradientBoostingClassifier(random_state=SEED)
)
effort = {
    "better model, unmonitored": mh.loop.simulate(
        world, better_model, Never(), train_size=10 * PER_WEEK, drifts=drifts, rng=SEED + 2, **YEAR
    ),
    "plain model + monitor": mh.loop.simulate(
        world, None, OnPerformanceDrop(0.05), drifts=drifts, rng=SEED + 2, **YEAR
    ),
}
effort_table = pd.DataFrame(
    {
        name: {
            "accuracy weeks 0-7": run["accuracy"].iloc[:8].mean(),
            "accuracy, year": run["accuracy"].mean(),
            "wrong decisions": round(((1 - run["accuracy"]) * run["n_rows"]).sum()),
            "retrains": run["n_retrains"].iloc[-1],
            "labels": round(run["cost_labels"].iloc[-1]),
            "retraining": round(run["cost_retraining"].iloc[-1]),
            "errors": round(run["cost_errors"].iloc[-1]),
            "total": round(run["cost"].iloc[-1]),
        }
        for name, run in effort.items()
    }
).T.astype({"wrong decisions": int, "retrains": int, **dict.fromkeys(MONEY, int)})
effort_table

# %% [markdown]
# (Costs in dollars, as before; weeks 0-7 are the weeks before the first drift.) Before the
# first drift the better model *is* better, if only a little: half a point here, up to two
# points with other seeds, the reward of the extra data and the stronger learner. Then the
# world changes in week 8, and the better model has no way to know. Over the year the plain
# model with a monitor makes fewer than half as many wrong decisions and costs about half as
# much, labels and retraining included. The training effort bought a point or so for eight
# weeks; the monitoring effort bought the rest of the year.
#
# **Experiment.** Make the year milder: replace `drifts` in the two `simulate` calls with a
# single slow concept drift, `[mh.drift.Drift("concept", start=START + 12 * WEEK,
# pattern="gradual", width=16 * WEEK, magnitude=0.5)]`. The monitored plain model should still
# make fewer errors, but its labels cost about what the errors it saves are worth: the gentler
# the drift, the less monitoring is worth, and the more a better model is.

# %% [markdown]
# ## 6 · Iteration is the design, not a failure
#
# Put the two bills side by side. In both, the expensive line is the one nobody budgets:
# **errors of a model left alone**. Retraining is not an admission that the first model was
# wrong; it is the part of the system that keeps a model true to a world that moves.


# %%
PART_COLOURS = {"labels": "#E69F00", "retraining": "#56B4E9", "errors": "#D55E00"}


def stacked(ax, table, title):
    left = np.zeros(len(table))
    for part, colour in PART_COLOURS.items():
        if part in table:
            ax.barh(table.index, table[part], left=left, color=colour, label=part)
            left += table[part].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("total cost (dollars)")
    ax.set_title(title)


fig, (left_ax, right_ax) = plt.subplots(1, 2, figsize=(11, 3.6))
stacked(left_ax, costs, "Loans, 36 weeks")
stacked(right_ax, bike_costs, "Bikes, March to December")
fig.legend(*left_ax.get_legend_handles_labels(), loc="lower center", ncol=3)
fig.suptitle("Where the money goes: mostly into the errors of an unattended model")
fig.tight_layout(rect=(0, 0.08, 1, 1))

# %% [markdown]
# A team that plans for the loop from the start budgets for labels (and their delay), for a
# retraining pipeline that is cheap to run, and for a policy chosen by the shape of its drift:
#
# - jumps, fresh labels: retrain **on a performance drop** (or a drift alarm on the errors);
# - steady movement, cheap retraining: retrain **on a schedule**;
# - slow labels and changes that come and go: do **not** chase them; model the season, and
#   use label-free signals to decide when to look.

# %% [markdown]
# **08.5** In the loan world without delay, what share of the **on performance drop** policy's
# own total cost are its errors? (A float between 0 and 1; three decimals are enough.)

# %%
answer = None
mh.exercises.check("08.5", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
trigger_bill = last.loc["on performance drop"]
answer = float(trigger_bill["cost_errors"] / trigger_bill["cost"])
mh.exercises.check("08.5", answer)

# %% [markdown]
# ## Key takeaways
#
# - The lifecycle is a loop: define, collect, train, deploy, monitor, learn, and round again.
#   Plan and budget for the turns; they are the design, not a failure.
# - Compare retraining policies on **total cost** (labels + retraining + errors), not only on
#   accuracy: the most accurate policy is often not the cheapest.
# - A model that is never retrained pays for it in errors, usually far more than retraining costs.
# - Triggers (performance drop, drift alarm) win when changes are jumps and labels are fresh;
#   schedules win when the world moves steadily and retraining is cheap.
# - Label delay makes every label-based policy late; for changes that come and go, it can make
#   reacting worse than doing nothing.
# - On real data (bikes 2011), a winter model is four to five times worse in summer; retraining
#   on the latest data is what keeps it useful.
#
# **In production.**
# *Apache Airflow*, *Prefect*, *Dagster*: schedule and orchestrate periodic retraining
# pipelines. *Kubeflow Pipelines*, *Vertex AI Pipelines*, *SageMaker Pipelines*: managed
# train-validate-deploy loops with triggers. *MLflow Model Registry*: versioned models with
# staged promotion and rollback. *Evidently*, *NannyML*, *WhyLabs*: monitors whose alerts can
# trigger retraining; NannyML estimates performance while labels are delayed. *Feast*:
# a feature store that keeps training and serving features (and their timestamps) consistent
# for retraining. *Label Studio* and labelling vendors: the label supply the loop runs on.
#
# Next: **09 · incident lab**, the capstone.
