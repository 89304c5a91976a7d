# %% [markdown]
# # 01 · The system, not the model
#
# *Kestrel Loans* is a small lender. Applications arrive from three channels: bank **branches**,
# the **online** form and **brokers**. For years a credit officer decided with one rule of thumb
# ("decline when the debt ratio is above about 0.44"). This spring the data team trained a model
# that predicts which loans will default, and it scores 90 % accuracy on held-out data. It goes
# live on 15 May. A week later the online team asks why nobody gets a loan through the website
# any more.
#
# In this chapter you build that whole system, watch a good model fail inside it, find the
# defect and fix it. The model is the easy part.
#
# **Learning goals of this chapter**
#
# 1. Build a small but complete ML system: data, validation, a time split, training, a service
#    with a schema and a fallback rule, live requests, and a log.
# 2. Explain why offline metrics cannot see a pipeline defect, and which signals can: business
#    numbers, live inputs checked against the training schema, the service log.
# 3. Find a unit defect by comparing live inputs with the training data, and fix it.
# 4. Tell a guard (falling back) from a fix, and measure value where it is delivered: at the
#    decision, in dollars.
# 5. See how small the model is within the system (Sculley et al., 2015).

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

import mlsys_helpers as mh

pd.set_option("display.precision", 3)
SEED = 7  # history: rng=SEED, live traffic: rng=SEED + 1, service latencies: rng=SEED + 2
world = mh.world.LoanWorld()
FEATURES = list(world.features)

# %% [markdown]
# ## 1 · Data: sixteen months of loan applications
#
# The world (`mh.world.LoanWorld`) stands in for Kestrel's past: one application an hour, each
# with the applicant's income (dollars a year), debt ratio (monthly debt payments over monthly
# income), age, years employed, years of credit history, the loan amount, the region and the
# channel. `target` is what happened later: **1 = the loan defaulted**, 0 = it was repaid.

# %%
history = world.sample(12_000, rng=SEED)
history[["timestamp", *FEATURES, "target"]].head(3)

# %%
print(
    f"{len(history):,} applications, {history['timestamp'].min():%Y-%m-%d} to "
    f"{history['timestamp'].max():%Y-%m-%d}; default rate {history['target'].mean():.1%}"
)

# %% [markdown]
# ## 2 · Split by time, validate, train
#
# Production predicts the future from the past, so the test set is the **last** quarter of the
# history (`mh.train.time_split`), never a random sample. Before training we learn a schema of
# the training data (kinds, ranges, categories, null rates, class mix) and check the test period
# against it: data problems are cheaper to catch here than in a model's errors.

# %%
train, test = mh.train.time_split(history, test_size=0.25)
data_schema = mh.quality.infer_schema(train, exclude=["drift_weight", "true_proba"])
print(f"train: {len(train):,} rows up to {train['timestamp'].max():%Y-%m-%d}; test: {len(test):,}")
print(mh.quality.validate(test, data_schema).summary())

# %% [markdown]
# Now the model. Everything around it (imputing missing values, scaling, one-hot encoding that
# ignores unseen categories) comes from `mh.train.make_pipeline_for`, so the same preprocessing
# travels with the model into serving. The model itself is **one line**: a gradient-boosted
# tree ensemble from scikit-learn. We also fit the credit officer's rule of thumb (a one-feature
# threshold, `mh.train.RuleClassifier`): it becomes the service's fallback.

# %%
model = mh.train.make_pipeline_for(train, model=HistGradientBoostingClassifier(random_state=SEED))
model.fit(train, train["target"])
rule = mh.train.RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
print("fallback rule:", rule.rule_)

# %% [markdown]
# A prediction of 1 means *decline*, 0 means *approve*. What matters to Kestrel is money: an
# approved loan that is repaid earns about **\$1,500** of interest; an approved loan that defaults
# loses about **\$7,000**; a declined application earns and loses nothing.

# %%
GAIN_REPAID, LOSS_DEFAULT = 1_500, 7_000  # dollars per approved loan


def scorecard(declined, defaulted):
    """Accuracy, approval rate and dollars earned per application of a batch of decisions."""
    declined, defaulted = np.asarray(declined, dtype=int), np.asarray(defaulted, dtype=int)
    money = np.where(declined == 1, 0, np.where(defaulted == 1, -LOSS_DEFAULT, GAIN_REPAID))
    return {
        "accuracy": float(np.mean(declined == defaulted)),
        "approval rate": float(np.mean(declined == 0)),
        "$ per application": float(money.mean()),
    }


def as_table(cards):
    """Scorecards (a dict name -> scorecard) as a table with readable units."""
    table = pd.DataFrame(cards).T
    return pd.DataFrame(
        {
            "accuracy": table["accuracy"].map("{:.3f}".format),
            "approval rate": table["approval rate"].map("{:.1%}".format),
            "$ per application": table["$ per application"].map("{:,.0f}".format),
        }
    )


offline = {
    "approve everyone": scorecard(np.zeros(len(test)), test["target"]),
    "credit officer's rule": scorecard(rule.predict(test[["debt_ratio"]]), test["target"]),
    "model": scorecard(model.predict(test), test["target"]),
}
offline_accuracy = offline["model"]["accuracy"]
as_table(offline)

# %% [markdown]
# The model is right on about nine applications in ten, far above the rule, and earns more per
# application. Every offline number says: ship it.
#
# ## 3 · Deploy: a service with a schema and a fallback
#
# The scoring service (`mh.serve.ModelService`) receives one JSON request per application. It
# checks every field against the schema of the training **features** (`mh.quality.infer_schema`),
# repairs what it safely can (renamed fields, numbers sent as strings, ...), lets the model answer,
# and falls back to the rule when the model cannot (unreadable or out-of-range fields, too slow).
# Every request is logged, with the problems found in it.

# %%
schema = mh.quality.infer_schema(train[FEATURES])
service = mh.serve.ModelService(
    model, schema=schema, fallback=rule, latency_budget_ms=100, rng=SEED + 2
)
applicant = {
    "income": 61_000,
    "debt_ratio": 0.28,
    "age": 35,
    "employment_years": 6.0,
    "credit_history_years": 12.5,
    "loan_amount": 15_000,
    "region": "north",
    "channel": "branch",
}
response = service.predict(applicant)
print(
    f"prediction {response.prediction} ({'decline' if response.prediction else 'approve'}), "
    f"answered by the {response.source} in {response.latency_ms:.0f} ms, "
    f"problems: {list(response.problems)}"
)

# %% [markdown]
# ## 4 · Go live
#
# The next 4,000 applications arrive after the history ends, one an hour, from 15 May to the end
# of October. The three channels send them
# through different upstream systems, simulated by `upstream` below. **In real life you would not
# see this code**: it belongs to other teams. (Here is the secret: the online team shipped a new
# form on launch day whose income field reads "annual income in \$1,000", and the form sends what
# the applicant typed.)
#
# **Experiment.** `BROKEN_CHANNEL` says which channel sends thousands. Set it to `"broker"`
# (15 % of traffic) and re-run to the end of section 6: the live accuracy should drop by only
# 5 to 10 points instead of 30, and the approval rate by less than 10 points: a smaller defect
# costs less and is *harder* to notice. Set it to `None` for a
# defect-free launch.

# %%
BROKEN_CHANNEL = "online"


def upstream(applications, *, broken_channel=BROKEN_CHANNEL, income_unit=1_000):
    """The requests the channels send: one channel sends income in units of `income_unit` $."""
    requests = applications[FEATURES].copy()
    broken = requests["channel"] == broken_channel
    requests.loc[broken, "income"] = requests.loc[broken, "income"] / income_unit
    return requests


live = world.sample(4_000, start=history["timestamp"].iloc[-1] + pd.Timedelta("1h"), rng=SEED + 1)
requests = upstream(live)
served = service.predict_frame(requests)
print(f"live: {len(live):,} applications, {live['timestamp'].min():%d %b} to "
      f"{live['timestamp'].max():%d %b %Y}")  # fmt: skip

# %% [markdown]
# What the operations dashboard shows after the launch week (the first 168 requests, one week
# of hourly applications). Labels are not in yet (a loan defaults months later), so the
# dashboard shows what is known at once:


# %%
def dashboard(served):
    """The operations view of a batch of served requests: what is known before any label."""
    return {
        "requests": f"{len(served):,}",
        "answered by the model": f"{(served['source'] == 'model').mean():.1%}",
        "answered by the fallback": f"{(served['source'] == 'fallback').mean():.1%}",
        "errors": f"{(served['source'] == 'rejected').mean():.1%}",
        "requests with problems": f"{(served['n_problems'] > 0).mean():.1%}",
        "p95 latency": f"{served['latency_ms'].quantile(0.95):.0f} ms",
        "approval rate": f"{(served['prediction'] == 0).mean():.1%}",
    }


launch_week = served[(live["timestamp"] < live["timestamp"].min() + pd.Timedelta("7D")).to_numpy()]
expected = f"{offline['model']['approval rate']:.1%} (offline)"
pd.DataFrame(
    {"launch week": dashboard(launch_week), "expected": {"approval rate": expected}}
).fillna("")

# %% [markdown]
# Every technical signal is green: no errors, no problems found in the requests, fast answers,
# the model answers everything. One number is not: the **approval rate** halved. It is not an ML
# metric, it is a business number, and here it is the first alarm.
#
# Fast-forward past October: the outcomes of all 4,000 live loans are known (the simulation knows
# them already). Score the live decisions of those five and a half months exactly as we scored
# the test set:

# %%
stages = {"offline test": offline["model"]}
stages["live: launch"] = scorecard(served["prediction"], live["target"])
as_table(stages)

# %% [markdown]
# Thirty points of accuracy gone, more than half the money gone, and every offline metric unchanged:
# the test set, the validation report and the model are exactly what they were. The model is
# not broken. The **system** is.
#
# ## 5 · Find the defect
#
# Where do the errors come from? Slice the live accuracy by channel:

# %%
by_channel = pd.DataFrame(
    {
        "share of requests": live["channel"].value_counts(normalize=True),
        "live accuracy": (served["prediction"] == live["target"]).groupby(live["channel"]).mean(),
        "approval rate": (served["prediction"] == 0).groupby(live["channel"]).mean(),
    }
)
by_channel

# %% [markdown]
# The online channel: nobody approved, right only when the applicant really defaulted. The other
# two channels score like the test set. You did not need labels to see this: **compare the live
# inputs with the training schema**, the same validation that passed for the test period.

# %%
live_report = mh.quality.validate(requests, schema)
live_report.failures

# %% [markdown]
# Half the incomes lie below the smallest income in the training data. A picture makes the
# cause obvious (note the logarithmic axis):

# %%
bins = np.geomspace(1, 1e6, 61)
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.hist(train["income"], bins=bins, color="#0072B2", alpha=0.7, label="training data")
ax.hist(requests["income"], bins=bins, color="#D55E00", alpha=0.6, label="live requests")
for x in (schema["income"].min, schema["income"].max):
    ax.axvline(x, color="black", linestyle="--", linewidth=1)
ax.annotate(
    "online form:\nincome in $1,000",
    xy=(60, 300),
    xytext=(400, 700),
    arrowprops={"arrowstyle": "->"},
)
ax.set_xscale("log")
ax.set(
    xlabel="income sent to the service ($ per year, log scale)",
    ylabel="applications",
    title="Live incomes vs training incomes (dashed: training min and max)",
)
legend = ax.legend(loc="upper left")

# %% [markdown]
# An income of 52 is a person earning \$52,000, sent in thousands. The model believes it: to
# the model, 52 dollars a year is the poorest applicant it has ever seen, so it declines.
#
# **Why did the service not complain?** It refuses a number only when it lies beyond the
# training range by more than 10 % of the range's span (`range_margin=0.1`), so a handful of
# slightly unusual but honest values still reach the model. Income is skewed: its span is large,
# and the lower limit ends up *below zero*.

# %%
column = schema["income"]
span = column.max - column.min
print(f"training incomes: {column.min:,.0f} to {column.max:,.0f} $/year")
print(f"the service accepts: {column.min - 0.1 * span:,.0f} to {column.max + 0.1 * span:,.0f}")

# %% [markdown]
# ## 6 · A guard is not a fix
#
# A first reflex: make the service strict (`range_margin=0`: refuse anything outside the
# training range). Now the service log says exactly what is wrong, and the rule answers instead.

# %%
strict = mh.serve.ModelService(
    model, schema=schema, fallback=rule, latency_budget_ms=100, range_margin=0.0, rng=SEED + 2
)
guarded = strict.predict_frame(requests)
log = strict.log_frame()
reasons = log["reason"].str.split(" [(]", regex=True).str[0].replace("", "(model answered)")
print(reasons.value_counts().to_string())
print("example problem:", next(iter(log.loc[log["n_problems"] > 0, "problems"]), "none"))

# %% [markdown]
# The log now names the problem on every online request (and the odd honest applicant with an
# unusual value falls back too: a strict range raises false alarms of its own). What does the
# guard do to the decisions?

# %%
stages["live: strict service"] = scorecard(guarded["prediction"], live["target"])
as_table(stages)

# %% [markdown]
# Accuracy is better, and the money is **worse**: the fallback rule approves most online
# applicants, including risky ones it cannot tell apart, and every approved default costs
# \$7,000. Declining all of them (the broken model) at least lost nothing on them. The guard
# limits one kind of damage and makes the log tell the truth, which is why you want it; it does
# not repair the system. Accuracy and value are different questions.
#
# ## 7 · The fix
#
# The defect is in the contract between the online form and the service: the same field, two
# units. The fix belongs there: the online team sends dollars again (and the field's unit
# is written into the request schema they build against). Replay the same live traffic through the
# fixed upstream:

# %%
fixed = service.predict_frame(upstream(live, income_unit=1))
stages["live: fixed"] = scorecard(fixed["prediction"], live["target"])
summary = pd.DataFrame(stages).T
as_table(stages)

# %%
gap = offline_accuracy - summary.loc["live: fixed", "accuracy"]
print(f"live accuracy after the fix is {abs(gap):.3f} from the offline accuracy")
print(
    f"validation of the fixed requests: {mh.quality.validate(upstream(live, income_unit=1), schema).summary()}"
)

# %%
colours = ["#0072B2", "#D55E00", "#CC79A7", "#009E73"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
ax1.bar(summary.index, summary["accuracy"], color=colours)
ax1.axhline(offline_accuracy, color="black", linestyle="--", linewidth=1, label="offline")
ax1.axhline(offline_accuracy - 0.15, color="grey", linestyle=":", label="offline - 15 points")
ax1.set(ylim=(0, 1.15), yticks=np.arange(0, 1.01, 0.2), ylabel="accuracy")
ax1.set_title("Accuracy of the decisions")
ax1.legend(loc="upper center", ncol=2, fontsize=8)
ax2.bar(summary.index, summary["$ per application"], color=colours)
ax2.axhline(0, color="black", linewidth=0.8)
ax2.set(ylabel="$ earned per application", title="Value of the decisions")
for ax in (ax1, ax2):
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
fig.suptitle("Same model, same test score: only the system changed")
fig.tight_layout()

# %% [markdown]
# ## 8 · How little of the code is the model
#
# Sculley et al. ("Hidden technical debt in machine learning systems", NeurIPS 2015) drew a
# famous picture: a tiny box labelled *ML code* surrounded by large boxes for data collection,
# verification, feature extraction, serving and monitoring. Our system is small, but the
# proportions are the same. Count the non-blank, non-comment lines of the helper modules behind
# each station (docstrings included: they are part of the contract) against the one line that
# chose the model. One box is not part of the system at all: the simulated world (the loan
# world, the drift and the collection defects we inject) stands in for reality, which in a real
# system is people, forms and other teams' code. It is drawn in grey and left out of the shares.
# (The counts grow as the package grows; the picture does not change.)

# %%
package = Path(mh.__file__).parent


def lines_of_code(*stations):
    """Non-blank lines that are not comments, over the given stations (a module or a package)."""
    total = 0
    for name in stations:
        folder = package / name
        paths = sorted(folder.glob("*.py")) if folder.is_dir() else [package / f"{name}.py"]
        for path in paths:
            lines = path.read_text(encoding="utf-8").splitlines()
            total += sum(1 for s in lines if s.strip() and not s.strip().startswith("#"))
    return total


components = {
    "simulated world\n(world, drift, collect)": lines_of_code("world", "drift", "collect"),
    "data loading\n(datasets)": lines_of_code("datasets"),
    "data validation\n(quality)": lines_of_code("quality"),
    "splits, features, rules\n(train)": lines_of_code("train"),
    "the model\n(one line)": 1,
    "serving\n(serve)": lines_of_code("serve"),
    "monitoring\n(detect, monitor)": lines_of_code("detect", "monitor"),
    "lifecycle\n(loop)": lines_of_code("loop"),
}
sizes = pd.Series(components)
SIMULATOR = "simulated world\n(world, drift, collect)"
system_total = sizes.drop(SIMULATOR).sum()  # the simulator stands in for reality: no share
colours = ["#999999" if k == SIMULATOR else "#D55E00" if v == 1 else "#0072B2"
           for k, v in sizes.items()]  # fmt: skip
fig, ax = plt.subplots(figsize=(8, 4.4))
bars = ax.barh(sizes.index, sizes.to_numpy(), color=colours)
shares = [
    f"{v:,} (stands in for reality)" if k == SIMULATOR else f"{v:,} ({v / system_total:.2%})"
    for k, v in sizes.items()
]
ax.bar_label(bars, labels=shares, padding=3, fontsize=8)
ax.invert_yaxis()
ax.set_xlim(0, sizes.max() * 1.45)
ax.set(
    xlabel="lines of code (non-blank, non-comment)",
    title="Where the code of the system is (shares of the system, simulator excluded)",
)
fig.tight_layout()

# %% [markdown]
# The model is the smallest box by more than two orders of magnitude. Every defect in this chapter
# lived in the other boxes: a form (upstream of data loading), a contract (validation), a range
# margin (serving), and the missing dashboard line (monitoring). And **value is delivered in the serving
# box**: only a decision that reaches an applicant earns or loses money; a test-set score earns
# nothing.

# %% [markdown]
# ## Exercises
#
# **01.1** Which of these signals could have caught the defect in the launch week, *before* any
# outcome was known? (a) the offline test accuracy, (b) the dashboard's "errors" and "requests
# with problems" lines (the service's own checks, which accept values up to 10 % of the span
# outside the training range), (c) a strict comparison of the live requests with the training
# schema, no margin (`mh.quality.validate`, as in section 5), (d) the p95 latency.
# Answer with one letter.

# %%
answer = None
mh.exercises.check("01.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = "c"
mh.exercises.check("01.1", answer)

# %% [markdown]
# **01.2** Read the name of the broken request field from `live_report` (the validation report of
# the live requests) with code, not by eye. Answer with the column name (a string).

# %%
answer = None
mh.exercises.check("01.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = live_report.failures.loc[live_report.failures["check"] == "range", "column"].iloc[0]
mh.exercises.check("01.2", answer)

# %% [markdown]
# **01.3** The default service accepts incomes down to a negative number. Which smallest `age`
# would it accept (same rule: training minimum minus `range_margin` times the training span)?
# Compute it from `schema` (a float; one decimal is enough).

# %%
answer = None
mh.exercises.check("01.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
ages = schema["age"]
answer = ages.min - 0.1 * (ages.max - ages.min)
print(f"the service accepts applicants from {answer:.1f} years of age")
mh.exercises.check("01.3", answer)

# %% [markdown]
# **01.4** The model declines when its predicted probability of default is above 0.5: a choice
# made for accuracy, not for money. With a gain of \$1,500 per repaid loan and a loss of \$7,000
# per default, above which probability of default does approving lose money on average?
# (A float between 0 and 1, two decimals are enough: the break-even point where
# (1 - p) * 1500 = p * 7000.)

# %%
answer = None
mh.exercises.check("01.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = GAIN_REPAID / (GAIN_REPAID + LOSS_DEFAULT)
mh.exercises.check("01.4", answer)

# %% [markdown]
# ## Key takeaways
#
# - A model with 90 % test accuracy lost 30 points of live accuracy and more than half its value to one
#   defect upstream of it, while every offline metric stayed the same. Offline evaluation tests
#   the model, not the system.
# - The signals that can see a pipeline defect at once are about inputs and decisions, not
#   models: validate live requests against the training schema, watch business numbers such as
#   the approval rate, read the service log's problems. Slice by source (here: channel).
# - A guard (strict ranges, a fallback rule) makes failures visible and bounded; it is not a fix,
#   and it can even lose money. Fix the contract where the defect was born.
# - The model is a tiny part of the code. Value is delivered at the decision, in serving.
#
# **In production.**
# - *Great Expectations*, *pandera*, *TensorFlow Data Validation*: schemas and checks on batches
#   of data, in training pipelines and on logged serving traffic.
# - *Data contracts* (JSON Schema, Protobuf with a schema registry such as Confluent's): the
#   producer and consumer of a field agree on its type and unit, checked at build time.
# - *Feature stores* (Feast, Tecton): one definition of a feature for training and serving.
# - *KServe*, *Seldon*, *BentoML*, *SageMaker endpoints*: serving with request validation,
#   fallbacks, logging and canary releases (send the new version a few % of traffic first).
# - *Evidently*, *WhyLabs*, *Arize*: monitoring of live inputs and predictions against a
#   reference, sliced by segment.
#
# Next: **02 · prediction, not understanding**: even a perfect pipeline cannot make a pattern
# matcher understand.
