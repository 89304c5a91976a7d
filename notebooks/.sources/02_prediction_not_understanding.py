# %% [markdown]
# # 02 · Prediction, not understanding
#
# A model that scores 96 % offline feels like it *understands* loans. It does not. It matches
# patterns in the table it was given, whatever produced them, and it answers every question it is
# asked, including questions it has never seen anything like. This chapter breaks a good model in
# three ways that no offline metric warns you about.
#
# **Learning goals of this chapter**
#
# 1. Recognise a **shortcut feature**: a column that predicts the label only because of how the
#    data was collected; measure how much a model leans on it (permutation importance) and watch
#    accuracy collapse when collection changes.
# 2. See **extrapolation** fail: outside the range of its training data a tree predicts a flat
#    line and a linear model runs off, both without a hint of doubt.
# 3. Show that a classifier has **no "I don't know"**: it gives confident probabilities to
#    nonsense inputs, so the system around it must check what goes in.
#
# Stations: `world` (the data), `collect` (where the shortcut is born), `train`, `quality`.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance

import mlsys_helpers as mh

pd.set_option("display.precision", 3)
SEED = 1  # every experiment below uses rng=SEED + k, with its own k, so each one is reproducible
BLUE, ORANGE, GREEN, PINK = "#0072B2", "#D55E00", "#009E73", "#CC79A7"

# %% [markdown]
# ## Part A · The shortcut
#
# A bank wants to predict which loans will default. Its data team digitised the archive of past
# loans. One detail of that archive: **the files of defaulted loans had been scanned by the
# collections team** (they needed them for court), while most repaid loans stayed on paper. So in
# the training table the column `file_scanned` is 1 for about 90 % of defaults and about 5 % of
# repaid loans. Scanning a file never made anybody default; the column is a trace of *what happened
# after* the loan, left by how the data was collected.
#
# `mh.collect.outcome_trace` adds such a column: it sets it to 1 with a probability that depends
# on the label.

# %%
world = mh.world.LoanWorld()
history = world.sample(6000, start="2024-01-01", rng=SEED)
history = mh.collect.outcome_trace(
    history, name="file_scanned", rate={1: 0.9, 0: 0.05}, rng=SEED + 1
)
history.groupby("target")["file_scanned"].mean().rename("share of files scanned").to_frame()

# %% [markdown]
# Nobody on the team thinks of this as a problem: `file_scanned` is just another column of the
# archive. We split by time (train on the past, test on the most recent quarter, as in production)
# and train the same gradient-boosting model twice: once on every column (`make_pipeline_for`
# uses all of them by default) and once on the application's own features only.

# %%
train, test = mh.train.time_split(history, test_size=0.25)
FEATURES = list(world.features)  # what an applicant tells us at application time
shortcut_model = mh.train.make_pipeline_for(train, model=HistGradientBoostingClassifier())
shortcut_model = shortcut_model.fit(train, train["target"])
honest_model = mh.train.make_pipeline_for(
    train, model=HistGradientBoostingClassifier(), features=FEATURES
)
honest_model = honest_model.fit(train, train["target"])
offline = {
    "with file_scanned": shortcut_model.score(test, test["target"]),
    "application features only": honest_model.score(test, test["target"]),
}
pd.Series(offline, name="offline accuracy").to_frame()

# %% [markdown]
# Which columns did "every column" mean? `make_pipeline_for` quietly leaves some out: the
# target, the `timestamp`, and the simulator's truth columns. One of those, `true_proba`, is the
# world's own probability that this applicant defaults: a perfect leak that no real lender could
# ever know, so it must never be a feature. A default that drops columns silently is a risk of
# its own in a chapter about columns that should not be there: print what a pipeline uses.

# %%
numeric, categorical = mh.train.feature_columns(train, "target")
used = [*numeric, *categorical]
print("used by the shortcut model:", used)
print("left out:", [c for c in train.columns if c not in used])

# %% [markdown]
# `file_scanned` is in, like any other column of the archive. The shortcut model wins offline by
# several points. On this evidence you would ship it. What is
# it doing? **Permutation importance** answers without opening the model: shuffle one column of
# the test set and see how much accuracy drops. A column the model ignores costs nothing when
# shuffled; a column it leans on costs a lot.

# %%
COLUMNS = [*FEATURES, "file_scanned"]


def importance(model, frame):
    """Mean drop in accuracy when each column of `frame` is shuffled (5 shuffles, seeded)."""
    result = permutation_importance(
        model, frame[COLUMNS], frame["target"], n_repeats=5, random_state=SEED + 2
    )
    return pd.Series(result.importances_mean, index=COLUMNS)


drops = pd.DataFrame(
    {
        "shortcut model": importance(shortcut_model, test),
        "honest model": importance(honest_model, test),
    }
).sort_values("shortcut model")
fig, ax = plt.subplots(figsize=(7, 4))
drops.plot.barh(ax=ax, color=[ORANGE, BLUE], width=0.8)
ax.set_xlabel("drop in test accuracy when the column is shuffled")
ax.set_ylabel("column")
ax.set_title("What each model leans on (permutation importance)")
zero_line = ax.axvline(0, color="black", linewidth=0.8)

# %% [markdown]
# The shortcut model leans on `file_scanned` more than on anything a borrower can tell us, more
# even than income or debt ratio. (The honest model never saw the column, so shuffling it costs
# nothing.)
#
# ### Deployment: the trace disappears
#
# A year later the model scores **new applications**. The new online intake scans every file at
# the start, so `file_scanned` is 1 for everybody: it says nothing about the outcome any more.
# Same world, same people, same concept; only the way the column is collected has changed.

# %%
DEPLOY_SCAN_RATE = 1.0  # share of new applications whose file is scanned (independent of outcome)
live = world.sample(2000, start="2025-06-01", rng=SEED + 3)
live = mh.collect.outcome_trace(live, name="file_scanned", rate=DEPLOY_SCAN_RATE, rng=SEED + 4)
accuracy = pd.DataFrame(
    {
        "offline (test)": offline,
        "live": {
            "with file_scanned": shortcut_model.score(live, live["target"]),
            "application features only": honest_model.score(live, live["target"]),
        },
    }
)
always_repaid = float((live["target"] == 0).mean())
print(f"'always predict repaid' scores {always_repaid:.3f} on the live data")
accuracy

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
accuracy.T.plot.bar(ax=ax, color=[ORANGE, BLUE], rot=0, width=0.7)
ax.axhline(always_repaid, color="black", linestyle="--", label="always predict 'repaid'")
ax.set_ylim(0, 1.0)
ax.set_ylabel("accuracy")
ax.set_title("The shortcut wins offline and collapses live")
legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))

# %% [markdown]
# The shortcut model loses more than 20 points and ends at about the level of the trivial rule
# "nobody defaults". The honest model loses (almost) nothing: it learned from columns whose meaning did
# not change. Nothing in the offline evaluation could have told the two apart, because the
# offline test set was collected the same way as the training set and carries the same trace.
#
# **Experiment.** Set `DEPLOY_SCAN_RATE = 0.0` (the bank stops scanning at intake) and re-run the
# deployment cells. Before you do: every row now says "not scanned", which the model learned to
# read as "repaid". Expect the shortcut model to call a default only when the application itself
# screams it: its accuracy should land between the "always repaid" line and the honest model,
# several points below the honest model. A shortcut fails differently depending on *how* the
# collection changes, never in your favour.
#
# Shortcuts in the wild look like this: an X-ray model that reads the hospital's marker in the
# image corner (one hospital treats the sickest patients), a "reviewed_by" field filled in after a claim turned out fraudulent, an
# ID range that happens to encode the branch that sells risky loans. **Ask of every column: would
# I know this value, with this meaning, at the moment I must predict?**

# %% [markdown]
# ## Exercises, part A
#
# **02.1** Train the models as above (`SEED = 1`), but deploy with `DEPLOY_SCAN_RATE = 0.0`.
# What is the shortcut model's live accuracy? Answer a float (two decimals are enough).

# %%
answer = None
mh.exercises.check("02.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
paper_intake = mh.collect.outcome_trace(live, name="file_scanned", rate=0.0, rng=SEED + 4)
answer = float(shortcut_model.score(paper_intake, paper_intake["target"]))
print(f"live accuracy with no scans: {answer:.3f} (always repaid: {always_repaid:.3f})")
mh.exercises.check("02.1", answer)

# %% [markdown]
# ## Part B · Outside the training range
#
# A bike-share company launched on 1 June. By September it has a summer's worth of hourly rentals
# and trains a demand model on them, then keeps using it through the winter. `BikeWorld` knows the
# true expected demand of every hour (`true_mean`), so we can see exactly where the model is wrong.

# %%
bikes = mh.world.BikeWorld()
rides = bikes.sample(24 * 273, start="2024-06-01", rng=SEED + 5)  # June to February, hourly
summer, autumn_winter = mh.train.time_split(rides, cutoff="2024-09-01")
coldest, warmest = summer["temperature"].min(), summer["temperature"].max()
print(f"training: {len(summer)} summer hours, temperatures {coldest:.1f} to {warmest:.1f} deg C")
lowest = autumn_winter["temperature"].min()
print(f"later: {len(autumn_winter)} hours, down to {lowest:.1f} deg C")

# %% [markdown]
# Two models, both from `make_pipeline_for`: a gradient-boosted tree ensemble and the default
# linear model (ridge regression). To see what each learned about temperature, we ask both about
# the same Wednesday 17:00, clear sky, at every temperature from -15 to 40 deg C, and compare with
# the truth.

# %%
tree = mh.train.make_pipeline_for(summer, model=HistGradientBoostingRegressor())
tree = tree.fit(summer, summer["target"])
linear = mh.train.make_pipeline_for(summer).fit(summer, summer["target"])
evening_coldest = summer.loc[summer["hour"].between(16, 18), "temperature"].min()
temperatures = np.arange(-15.0, 40.5, 0.5)
wednesday_5pm = pd.DataFrame(
    {"hour": 17, "weekday": 2, "temperature": temperatures, "humidity": 60.0, "windspeed": 12.0}
).assign(weather="clear")

fig, ax = plt.subplots(figsize=(8, 4))
ax.axvspan(coldest, warmest, color="grey", alpha=0.15, label="training range")
ax.axvspan(evening_coldest, warmest, color="grey", alpha=0.25, label="seen at 16-18 h")
ax.plot(temperatures, bikes.true_mean(wednesday_5pm), color="black", label="truth")
ax.plot(temperatures, tree.predict(wednesday_5pm), color=BLUE, label="tree ensemble")
ax.plot(temperatures, linear.predict(wednesday_5pm), color=ORANGE, label="linear (ridge)")
ax.axhline(0, color="grey", linewidth=0.8)
ax.set_xlabel("temperature (deg C)")
ax.set_ylabel("predicted rentals per hour")
ax.set_title("Wednesday 17:00, clear sky: trained on summer, asked about winter")
legend = ax.legend(loc="upper left")

# %% [markdown]
# Look first *inside* the light grey band, at 10 to 15 deg C: the tree is far above the truth
# there too. The band is the temperature column's own range, each value seen on *some* summer
# hour. But the model learns from combinations, and a summer evening is never that cold:
#
# %%
cold_hours = summer[summer["temperature"] < 14]
inside_evening = wednesday_5pm[wednesday_5pm["temperature"].between(10.5, 12.0)]
print(f"summer hours at 16-18 h: coldest {evening_coldest:.1f} deg C")
print(
    f"summer hours below 14 deg C: {len(cold_hours)}, at hours {sorted(cold_hours['hour'].unique().tolist())}"
)
print(
    f"Wednesday 17:00 at 10.5-12 deg C: tree {tree.predict(inside_evening).mean():.0f} rentals, "
    f"truth {bikes.true_mean(inside_evening).min():.0f} to {bikes.true_mean(inside_evening).max():.0f}"
)

# %% [markdown]
# Every summer hour below 14 deg C was at night. A Wednesday 17:00 at 11 deg C sits inside the
# range of every column (hour, weekday, temperature, humidity, wind) and is still unseen: no
# training row comes near it. The tree answers with what it learned from warm evenings, nearly
# twice the truth. **A value can sit inside every column's range and still be unseen**;
# per-column ranges (the band, the schema checks of chapters 04 and 05) cannot see it. (The
# linear model is poor everywhere: a straight line cannot bend with the hump.)
#
# Outside the band:
#
# - the **tree predicts a flat line**: a tree can only answer with averages of training rows, so
#   every temperature below the coldest one it saw gets the answer for that coldest day (and
#   likewise above the hottest);
# - the **linear model continues its line** into negative rentals;
# - the **truth** falls towards zero: nobody rides at -10 deg C.
#
# Neither model outputs "I have never seen this". Here is what that costs over the real autumn
# and winter hours, split by whether the hour was inside the training range:

# %%
later = autumn_winter.assign(
    tree=tree.predict(autumn_winter),
    linear=linear.predict(autumn_winter),
    range=np.where(autumn_winter["temperature"] < coldest, "colder than training", "inside"),
)
summary = later.groupby("range").agg(
    hours=("target", "size"),
    truth=("true_mean", "mean"),
    tree=("tree", "mean"),
    linear_below_0=("linear", lambda p: float((p < 0).mean())),
)
summary.insert(3, "tree / truth", summary["tree"] / summary["truth"])
summary

# %% [markdown]
# On hours colder than anything in training, the tree predicts about **three times** the real
# demand on average, and the linear model predicts negative rentals for about nine in ten of them.
# Even on the later hours *inside* the range the tree is too high, by a factor of 1.16 on
# average: autumn evenings are combinations it never saw. The trucks that rebalance bikes
# overnight would be sent by these numbers.
#
# **Experiment.** Change the cutoff of the split to `"2024-12-01"` (train on June to November)
# and re-run this part. Expect the grey band to reach down to about 0 deg C and only about one
# later hour in eight to fall outside it, with a much smaller error in bikes per hour. But on
# those hours the tree is still several times too high: outside the range it is still flat.
# More data moves the edge; it does not teach the model what lies beyond it.

# %% [markdown]
# ## Exercises, part B
#
# **02.2** What share of the autumn-and-winter hours (`autumn_winter`) are colder than the coldest
# hour in the training data? Answer a float between 0 and 1 (two decimals are enough). This is the share of
# predictions the model makes about a world it has never seen.

# %%
answer = None
mh.exercises.check("02.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = float((autumn_winter["temperature"] < coldest).mean())
print(f"{answer:.1%} of the later hours are colder than any training hour")
mh.exercises.check("02.2", answer)

# %% [markdown]
# **02.3** Without running anything first: the tree is asked about the same Wednesday 17:00 at
# -30 deg C. Compared with its prediction at the coldest training temperature, is its answer
# `"higher"`, `"lower"` or `"same"`? Then check with `tree.predict`.

# %%
answer = None
mh.exercises.check("02.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
at = wednesday_5pm.iloc[[0, 0]].assign(temperature=[-30.0, coldest])
frozen, edge = tree.predict(at)
print(f"-30 deg C: {frozen:.1f} rentals; {coldest:.1f} deg C: {edge:.1f} rentals")
answer = "same" if np.isclose(frozen, edge) else ("higher" if frozen > edge else "lower")
mh.exercises.check("02.3", answer)

# %% [markdown]
# ## Part C · No "I don't know"
#
# Back to the loans, with the honest model and a logistic regression (the default of
# `make_pipeline_for`). We send them a typical applicant and a few inputs that no bank should
# ever score: an age of 300, a negative income, a debt ratio of 750 %, a loan of a billion, and
# a region and channel that do not exist.

# %%
logistic = mh.train.make_pipeline_for(train, features=FEATURES).fit(train, train["target"])
typical = {
    **train[list(world.numeric_features)].median().to_dict(),
    "region": "north",
    "channel": "online",
}
odd = {
    "typical applicant": {},
    "age 300": {"age": 300},
    "income -50,000": {"income": -50_000.0},
    "debt ratio 750 %": {"debt_ratio": 7.5},
    "loan of a billion": {"loan_amount": 1e9},
    "region 'mars'": {"region": "mars", "channel": "carrier pigeon"},
}
requests = pd.DataFrame([{**typical, **change} for change in odd.values()], index=list(odd))
answers = pd.DataFrame(
    {
        "P(default), tree": honest_model.predict_proba(requests)[:, 1],
        "P(default), logistic": logistic.predict_proba(requests)[:, 1],
    },
    index=requests.index,
)
answers

# %% [markdown]
# Every input gets a probability, most of them *more decisive* than the one for the real,
# typical applicant: the logistic model is certain (1.000) that the applicant with a negative
# income defaults, and the tree reads an age of 300 as "an older, safe customer". The model has no
# way to say "this is not a loan application".
#
# The extreme case: rows of pure random numbers. Confidence here is `max(p, 1 - p)`, the
# probability of the class the model predicts.

# %%
noise_rng = np.random.default_rng(SEED + 6)
noise = pd.DataFrame(
    {name: noise_rng.normal(0, 1000, 1000) for name in world.numeric_features}
).assign(region="?", channel="?")


def confidence(model, frame):
    p = model.predict_proba(frame)[:, 1]
    return np.maximum(p, 1 - p)


pd.DataFrame(
    {
        f"{inputs}, {name}": {
            "mean confidence": confidence(model, frame).mean(),
            "share with confidence >= 0.9": (confidence(model, frame) >= 0.9).mean(),
        }
        for name, model in [("tree", honest_model), ("logistic", logistic)]
        for inputs, frame in [("real applicants", test), ("random noise", noise)]
    }
).T

# %% [markdown]
# The tree is about as sure of itself on noise as on real applicants; the logistic model is
# *more* sure on noise, because its probability saturates as inputs grow. Confidence measures
# where an input falls relative to the decision boundary, not whether the model knows anything
# about it.
#
# ### The system must say "I don't know"
#
# The check has to live outside the model, in front of it. The schema learned from the training
# data by the `quality` station (chapter 04) knows each column's range and categories; one call
# per field screens a request.

# %%
schema = mh.quality.infer_schema(train[FEATURES])


def screen(request):
    problems = [schema[name].check_value(request[name]) for name in FEATURES]
    problems = [p for p in problems if p is not None]
    return problems[0] if problems else "ok: score it"


pd.set_option("display.max_colwidth", 90)
answers[["P(default), tree"]].assign(screen=[screen(row) for _, row in requests.iterrows()])

# %% [markdown]
# A range check is crude (an input can be inside every range and still be a combination never
# seen), but it turns five silent, confident wrong answers into five flagged requests. Chapter 05
# builds this into the serving layer, with a fallback for the requests it refuses.
#
# **Experiment.** Change the noise scale from `1000` to `1` in the noise cell (values near zero:
# tiny incomes, ages and loans). Predict first: will the models become less sure of themselves? The
# logistic model should stay more confident on this noise (about 0.96) than on real applicants;
# the tree may move either way, depending on the leaves tiny values fall into. Neither can refuse.

# %% [markdown]
# ## Exercise, part C
#
# **02.4** Draw the 1,000 random-noise rows again with scale **1** instead of 1000 (same seed
# `SEED + 6`, same columns): tiny incomes, ages and loans. What share of them does the
# **logistic** model answer with confidence of at least 0.99? Answer a float between 0 and 1
# (two decimals are enough).

# %%
answer = None
mh.exercises.check("02.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
small_rng = np.random.default_rng(SEED + 6)
small_noise = pd.DataFrame(
    {name: small_rng.normal(0, 1, 1000) for name in world.numeric_features}
).assign(region="?", channel="?")
answer = float((confidence(logistic, small_noise) >= 0.99).mean())
print(f"{answer:.1%} of noise rows of scale 1 get a confidence >= 0.99")
mh.exercises.check("02.4", answer)

# %% [markdown]
# ## Key takeaways
#
# - A model learns **correlations in the table**, whatever caused them. A column shaped by how the
#   data was collected (after the outcome, by a different process) can dominate a model and make
#   it look better offline than an honest one, then fail the day collection changes.
# - **Offline tests cannot catch a shortcut** when the test set was collected the same way. Ask
#   of every feature: would I know this value, with this meaning, when I must predict? Permutation
#   importance shows what the model leans on.
# - **Outside the training range a model is confidently wrong**: trees go flat, linear models run
#   off. Know the range you trained on and check every input against it.
# - **A model has no "I don't know"**: nonsense inputs get probabilities as confident as real
#   ones. Refusing to answer is the job of the system around the model (schema checks, fallbacks).
#
# **In production.**
# - *scikit-learn `inspection`*, *SHAP*: permutation importance and per-prediction attributions,
#   to see what a model leans on before it ships.
# - *Great Expectations*, *pandera*, *TensorFlow Data Validation*: schemas and range checks in
#   front of training and serving pipelines.
# - *Evidently*, *NannyML*, *WhyLabs*: feature distribution monitoring; a column like
#   `file_scanned` turning constant would be flagged on day one.
# - *Alibi Detect*, *PyOD*: outlier and out-of-distribution detectors that score how unusual an
#   input is, beyond per-column ranges.
# - *MAPIE* (conformal prediction): prediction sets and intervals, so a model can abstain when the
#   set is too wide.
# - *Datasheets for datasets* and *model cards*: documents that record how the data was collected,
#   where shortcuts are often first spotted.
#
# Next: **03 · when not to use ML**.
