# %% [markdown]
# # 04 · Data is where systems fail
#
# You are the machine-learning engineer of a small lender. The default-risk model is a plain,
# well-tuned pipeline, and it is not the problem. The problem is the **training table**: which
# rows made it in, which cells are empty, which labels are wrong, and how old it all is. In this
# chapter you break the data on purpose, one way at a time, and measure what each break does to
# the same model. Then you meet a real label bug in a public data set that thousands of tutorials
# have used.
#
# **Learning goals of this chapter**
#
# 1. Name five ways training data goes wrong (incomplete, biased, outdated, mislabelled,
#    unrepresentative) and simulate each with `mh.collect`.
# 2. Tell the three missing-data mechanisms (MCAR, MAR, MNAR) apart and say which one lies.
# 3. Show *garbage in, garbage out*: cleaner labels beat a stronger algorithm.
# 4. Catch broken data with checks: first by hand, then as a schema run by pandera
#    (`mh.quality`), and know what checks cannot see.
# 5. Find a real label bug (Seattle weather, April 2013) from the data alone.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pandera.pandas as pa
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

import mlsys_helpers as mh

pd.set_option("display.precision", 3)
pd.set_option("display.max_colwidth", 80)
SEED = 4  # every experiment below uses rng=SEED + k with its own k, so each can be re-run alone
world = mh.world.LoanWorld()
train = world.sample(4000, start="2024-04-15", rng=SEED)  # healthy training table: Apr-Sep 2024
test = world.sample(4000, start="2024-10-01", rng=SEED + 1)  # audited, complete, correct labels
train[["income", "debt_ratio", "age", "channel", "target"]].head(3)

# %% [markdown]
# Every experiment trains the **same** pipeline (`mh.train.make_pipeline_for`: median imputation,
# scaling, one-hot encoding, logistic regression) on a broken copy of `train`, and scores it on
# the same healthy `test` set. Two numbers per model: **accuracy**, and the share of real
# defaults the model flags (**defaults caught**, the number the risk team cares about).


# %%
def evaluate(training, on=test, model=None):
    """Fit the standard pipeline on `training`; accuracy and defaults caught on `on`."""
    pipe = mh.train.make_pipeline_for(training, model=model).fit(training, training["target"])
    predicted, actual = pipe.predict(on), on["target"].to_numpy()
    return {
        "accuracy": float(np.mean(predicted == actual)),
        "defaults caught": float(np.mean(predicted[actual == 1] == 1)),
    }


healthy = evaluate(train)
print(
    f"healthy data: accuracy {healthy['accuracy']:.3f}, defaults caught {healthy['defaults caught']:.3f}"
)

# %% [markdown]
# ## 1 · Incomplete data: MCAR, MAR, MNAR
#
# The old application form made `debt_ratio` optional, and 40 % of the rows have it empty. *Why*
# it is empty matters more than *how much*:
#
# - **MCAR** (missing completely at random): a browser bug dropped the field at random.
# - **MAR** (missing at random): older applicants skipped it more often; the blanks depend on
#   another column we *do* see (`age`).
# - **MNAR** (missing not at random): people with high debt left it empty; the blanks depend on
#   the hidden value itself.

# %%
RATE, STRENGTH = 0.4, 3.0  # share of blanks; how strongly they depend on a value (MAR, MNAR)


def blank(mechanism, **how):
    how = {"rate": RATE, "mechanism": mechanism, "strength": STRENGTH} | how
    return mh.collect.make_missing(train, columns="debt_ratio", rng=SEED + 2, **how)


incomplete = {"MCAR": blank("MCAR"), "MAR": blank("MAR", depends_on="age"), "MNAR": blank("MNAR")}
missing_table = pd.DataFrame(
    {
        mechanism: {
            "share missing": frame["debt_ratio"].isna().mean(),
            "mean debt_ratio seen": frame["debt_ratio"].mean(),
            **evaluate(frame),
        }
        for mechanism, frame in incomplete.items()
    }
).T
print(f"true mean debt_ratio: {train['debt_ratio'].mean():.3f}")
missing_table

# %% [markdown]
# MCAR and MAR cost almost nothing here: fewer values, but the ones left are a fair sample (for
# MAR, fair once you account for age). **MNAR lies**: the average debt ratio you *see* is far too
# low, and the imputed median stands in for mostly high-debt applicants. The model learns a
# distorted picture of debt: it flags more applicants, catching more defaults at the price of
# more false alarms, and accuracy falls. No statistic on the observed values can tell MAR from
# MNAR; only knowing how the data was collected can.
#
# **Experiment.** Raise `RATE` to 0.6: under MNAR the observed mean and the accuracy fall further,
# MCAR barely moves. Set `STRENGTH = 0.0`: all three mechanisms become MCAR and the rows agree.

# %% [markdown]
# **04.1** MNAR made the observed average most misleading. How much of that depends on how
# strongly the blanks follow the hidden value? Blank `debt_ratio` under MNAR with a weaker
# dependence, `strength=1.0` (same rate and seed: `blank("MNAR", strength=1.0)`), and answer the
# true mean debt ratio minus the mean you *see* (a float; three decimals are enough).

# %%
answer = None
mh.exercises.check("04.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
weaker = blank("MNAR", strength=1.0)
answer = float(train["debt_ratio"].mean() - weaker["debt_ratio"].mean())
print(f"seen mean {weaker['debt_ratio'].mean():.3f}, {answer:.3f} below the true mean")
mh.exercises.check("04.1", answer)

# %% [markdown]
# ## 2 · Biased data: the defaults that went missing
#
# When a defaulted loan is sold to a debt collector, its record is archived, and the nightly
# export skips the archive: only 30 % of defaults reach the training table. Selection that depends
# on the **outcome** is the most dangerous kind of bias.

# %%
biased = mh.collect.sampling_bias(train, column="target", keep={1: 0.3}, rng=SEED + 3)
print(
    f"default rate: world {train['target'].mean():.3f}, training table {biased['target'].mean():.3f}"
)
biased_scores = evaluate(biased)
print(
    f"accuracy {biased_scores['accuracy']:.3f} (healthy {healthy['accuracy']:.3f}), "
    f"defaults caught {biased_scores['defaults caught']:.3f} (healthy {healthy['defaults caught']:.3f})"
)

# %% [markdown]
# Accuracy drops a little; the model now misses a large share of the real defaults, because it
# learned that defaults are rare. Every row in the table is *correct*: the bias is in which rows
# exist.
#
# **04.2** Suppose the archive had swallowed only **half** the defaults (`keep={1: 0.5}`, same
# seed `SEED + 3`). What share of the rows of that training table would be defaults? Compute it
# (a float; three decimals are enough).

# %%
answer = None
mh.exercises.check("04.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
half_kept = mh.collect.sampling_bias(train, column="target", keep={1: 0.5}, rng=SEED + 3)
answer = float(half_kept["target"].mean())
mh.exercises.check("04.2", answer)

# %% [markdown]
# ## 3 · Outdated data: the world moved on
#
# In June 2024 a payment-holiday scheme starts: from then on, a high debt ratio no longer turns
# into default the way it did (a **concept drift**, chapter 06). The team keeps training on the
# table exported at the end of May. We simulate the year in a world *with* that drift and compare
# the stale table with a fresh one, both scored on October and November.

# %%
holiday = mh.drift.Drift("concept", start="2024-06-01", magnitude=0.5)  # debt stops mattering
year = world.sample(8000, drifts=holiday, rng=SEED + 4)  # hourly, Jan 1 to Nov 29
stale = mh.collect.outdated(year, before="2024-06-01")
fresh = year[(year["timestamp"] >= "2024-06-01") & (year["timestamp"] < "2024-10-01")]
autumn = year[year["timestamp"] >= "2024-10-01"]
outdated_table = pd.DataFrame(
    {"stale (Jan-May)": evaluate(stale, on=autumn), "fresh (Jun-Sep)": evaluate(fresh, on=autumn)}
).T.assign(rows=[len(stale), len(fresh)])
outdated_table

# %% [markdown]
# The stale table is *larger* and perfectly clean, and still loses about ten points: it describes
# a world that no longer exists. More data does not fix old data.
#
# **Experiment.** Set `magnitude=0.0` in the drift: the two rows should score about the same.

# %% [markdown]
# ## 4 · Mislabelled data: not all noise is equal
#
# Three ways labels go wrong: 20 % flipped at random (typos), 40 % of defaults recorded as
# repaid (collections outsourced and never written back: **class-conditional** noise), and
# 20 % flipped mostly on high-debt files (reviewers err on the hard cases: **feature-dependent**).

# %%
noisy = {
    "uniform 20 %": mh.collect.label_noise(train, rate=0.2, rng=SEED + 5),
    "defaults as repaid 40 %": mh.collect.label_noise(
        train, rate={1: 0.4}, kind="class_conditional", rng=SEED + 5
    ),
    "hard cases 20 %": mh.collect.label_noise(
        train, rate=0.2, kind="feature", depends_on="debt_ratio", rng=SEED + 5
    ),
}
noise_table = pd.DataFrame({name: evaluate(frame) for name, frame in noisy.items()}).T
noise_table

# %% [markdown]
# Random flips barely hurt: they cancel out, and the decision boundary stays where it was.
# **Systematic** noise moves the boundary: with defaults recorded as repaid, the model learns
# that risky files are fine, and catches only about a third of the defaults.
#
# **Experiment.** Raise the uniform rate to 0.4: accuracy falls, yet stays above the
# class-conditional case. (Above 0.5 the labels would be mostly wrong and the model inverted.)

# %% [markdown]
# ## 5 · Unrepresentative data: the customers you never saw
#
# The broker partnership started after the training table was exported: it holds branch and
# online customers only. Brokers bring riskier applicants, and now they apply.

# %%
no_brokers = mh.collect.sampling_bias(train, column="channel", keep={"broker": 0.0}, rng=SEED + 6)
brokers = test[test["channel"] == "broker"]
unrepresentative = pd.DataFrame(
    {"all channels": evaluate(train, on=brokers), "no brokers": evaluate(no_brokers, on=brokers)}
).T
unrepresentative

# %% [markdown]
# On broker applicants the model is much worse: the one-hot encoder ignores the unseen category
# (all zeros), so the model cannot know that brokers are riskier. A model is only valid for the
# population it was trained on.

# %% [markdown]
# ## All five, side by side


# %%
pairs = {  # problem: (scores with healthy training data, with broken data, test rows used)
    "incomplete (MNAR)": (healthy, missing_table.loc["MNAR"], "test"),
    "biased (defaults archived)": (healthy, biased_scores, "test"),
    "outdated (stale table)": (outdated_table.iloc[1], outdated_table.iloc[0], "Oct-Nov"),
    "mislabelled (defaults as repaid)": (healthy, noise_table.iloc[1], "test"),
    "unrepresentative (no brokers)": (
        unrepresentative.iloc[0],
        unrepresentative.iloc[1],
        "brokers",
    ),
}
summary = pd.DataFrame(
    {
        p: [g["accuracy"], b["accuracy"], g["defaults caught"], b["defaults caught"]]
        for p, (g, b, _) in pairs.items()
    },
    index=["accuracy healthy", "accuracy broken", "caught healthy", "caught broken"],
).T.assign(**{"scored on": [scored_on for *_, scored_on in pairs.values()]})
summary

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
positions = np.arange(len(summary))
for ax, metric in zip(axes, ["accuracy", "caught"], strict=True):
    for shift, state, colour in [(-0.2, "healthy", "#0072B2"), (0.2, "broken", "#D55E00")]:
        ax.barh(
            positions + shift,
            summary[f"{metric} {state}"],
            height=0.4,
            color=colour,
            label=f"{state} data",
        )
    ax.set_xlim(0.0, 1.0)
    ax.grid(axis="x", alpha=0.3)
axes[0].set_yticks(positions, summary.index)
axes[0].invert_yaxis()
axes[0].set_xlabel("accuracy")
axes[1].set_xlabel("share of real defaults caught")
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2)
fig.suptitle("Same model, same code: only the training data changed")
fig.tight_layout(rect=(0, 0.07, 1, 1))

# %% [markdown]
# ## 6 · Garbage in, garbage out: clean labels beat a stronger algorithm
#
# Your colleague proposes gradient boosting, which is genuinely better on this problem (it learns
# the interaction of loan size and job tenure that logistic regression cannot). You propose
# fixing the collections export so defaults are recorded again. Who gains more?

# %%
algorithms = {
    "logistic regression": None,
    "gradient boosting": HistGradientBoostingClassifier(random_state=SEED),
}
labels = {"noisy labels": noisy["defaults as repaid 40 %"], "clean labels": train}
gigo = pd.DataFrame(
    {
        kind: {name: evaluate(frame, model=model)["accuracy"] for name, model in algorithms.items()}
        for kind, frame in labels.items()
    }
)
lr, gb = gigo.loc["logistic regression"], gigo.loc["gradient boosting"]
switch_gain = gb["noisy labels"] - lr["noisy labels"]
clean_gain = lr["clean labels"] - lr["noisy labels"]
print(f"switch the algorithm: {switch_gain:+.3f}   clean the labels: {clean_gain:+.3f}")
gigo

# %% [markdown]
# Cleaning the labels gains several times more than switching the algorithm, and the *simple*
# model on clean labels beats the *strong* model on noisy ones. Once labels are clean, the better
# algorithm adds its point or two on top. Spend the first day on the data.

# %% [markdown]
# ## 7 · Checking data before training: the mechanism, then the tool
#
# Each problem above can be caught before a model is trained, by comparing every new training
# table with a small, **trusted**, audited sample. The mechanism fits in a few lines of pandas:
# is each value inside the range the trusted sample spans, is each category one it knows, and
# did the share of missing values rise? Here on the MNAR table of section 1:

# %%
trusted = world.sample(3000, start="2024-03-01", rng=SEED + 7)  # small, audited, trusted
batch = incomplete["MNAR"]  # a new training table
low, high = trusted["debt_ratio"].min(), trusted["debt_ratio"].max()
outside = ~batch["debt_ratio"].dropna().between(low, high)
unseen = ~batch["channel"].isin(trusted["channel"].unique())
print(f"range:    {outside.mean():.3f} of debt ratios outside [{low:.3f}, {high:.3f}]")
print(f"category: {unseen.mean():.3f} of channels never seen in the trusted sample")
print(
    f"missing:  {batch['debt_ratio'].isna().mean():.3f} of debt ratios empty "
    f"(trusted sample: {trusted['debt_ratio'].isna().mean():.3f})"
)

# %% [markdown]
# Three checks, three lines. A real table has a dozen columns, each needing the checks of its
# kind, so teams write them down once as a **schema** and let a library run them. Infer the
# schema from the trusted sample (the simulation's ground-truth columns are excluded: no real
# system has them), then **edit** what the data cannot know. Inference already knows one kind
# of hard bound: a column that was never negative in the trusted sample (income, debt ratio,
# loan amount) gets a lower bound of 0, because a negative value later is *impossible*, not
# unusual. (It is a guess from the data: temperatures in °C from a summer-only sample would get
# one too, wrongly, and you would remove it by hand.) That applicants are adults is domain
# knowledge: we add it by hand.

# %%
schema = mh.quality.infer_schema(trusted, exclude=("drift_weight", "true_proba"))
schema = schema.with_bounds({"age": (18, 100)})  # edited: the lender only lends to adults
described = pd.DataFrame(schema.to_dict()["columns"]).set_index("name")
described[["kind", "min", "max", "lower_bound", "upper_bound", "categories"]]

# %% [markdown]
# The same schema as a **pandera** `DataFrameSchema` (`schema.to_pandera()`): one `Column` per
# column with the checks that hold for *every single value*: the type of the kind, no
# infinities (`finite`), the hard `bounds`, the known categories, uniqueness; and for the whole
# frame, no unknown column and at least one row. Validate **lazily** and pandera reports every
# failing value with its row, instead of stopping at the first. Here on an export from the new
# application system, with the bugs such exports have:

# %%
contract = schema.to_pandera()
print({name: [check.name for check in contract.columns[name].checks] for name in schema.names})
export = test.head(500).copy()
export.loc[export.index[[3, 17]], "age"] = [12, 7]  # a typo and a test account
export.loc[export.index[25], "income"] = -1.0  # "unknown" coded as -1
export.loc[export.index[40], "channel"] = "partner_app"  # a new channel nobody announced
export.loc[export.index[41], "debt_ratio"] = np.inf  # a division by a zero income
try:
    contract.validate(export, lazy=True)  # lazy: collect every failure case
except pa.errors.SchemaErrors as errors:
    failure_cases = errors.failure_cases[["column", "check", "failure_case", "index"]]
failure_cases

# %% [markdown]
# Five bad values in 500 rows, each named with its row: 1 % of the table, enough to vanish in
# an average. What pandera cannot do is compare the new table with the trusted sample *as a
# whole*: a null rate that rose, a class mix that moved, a share of values straying outside the
# trusted range (a few always do, so that check needs a tolerance), duplicated rows.
# `mh.quality.validate` runs the same contract lazily and adds those reference-aware checks on
# top of pandera's failure cases, one row per check (`report.cases` keeps the failure cases):

# %%
print(mh.quality.validate(train, schema).summary())
print(mh.quality.validate(noisy["defaults as repaid 40 %"], schema).summary())
print(mh.quality.validate(export, schema).summary())
print(mh.quality.validate(train.iloc[:0], schema).summary())  # an export that wrote nothing

# %% [markdown]
# The healthy table passes; the mislabelled one fails the **label mix** check: the share of
# defaults moved far more than sampling noise would. The export fails on its impossible values
# (no tolerance forgives a 7-year-old applicant), and an empty table fails `rows` instead of
# passing every check with nothing to check. Now every broken table, plus one check that
# schemas do not have: **freshness** (how old is the newest row when we train, on 1 October?).

# %%
tables = {
    "healthy": train,
    "incomplete (MNAR)": incomplete["MNAR"],
    "biased (defaults archived)": biased,
    "outdated (stale table)": stale,
    "mislabelled (defaults as repaid)": noisy["defaults as repaid 40 %"],
    "mislabelled (uniform 20 %)": noisy["uniform 20 %"],
    "unrepresentative (no brokers)": no_brokers,
}


def failing_checks(frame):
    schema_checks = mh.quality.validate(frame, schema).table
    freshness = mh.quality.check_freshness(frame, now="2024-10-01", max_age="30D").table
    failed = pd.concat([schema_checks, freshness]).query("not passed")
    if failed.empty:
        return pd.DataFrame({"check": ["-"], "column": ["-"], "observed": ["all checks passed"]})
    return failed[["check", "column", "observed"]]


caught = pd.concat({name: failing_checks(frame) for name, frame in tables.items()})
caught.droplevel(1).rename_axis("training table")

# %% [markdown]
# Read the table row by row. Missing values fail `null_rate`; outcome bias and systematic label
# noise fail `label_mix` on the target; the missing broker channel fails `label_mix` on
# `channel` (and at serving time a broker request would fail `unseen_category`). The stale table
# passes every *schema* check (its values look perfectly normal) and is caught only by
# freshness.
#
# Random label noise is caught, but only marginally: 20 % random flips move the default share
# by about 0.2 × (0.70 − 0.30) = 0.08, not far above the 0.05 tolerance. Rerun this whole
# chapter with `SEED` from 0 to 59 and it is caught 59 times out of 60; with `SEED = 38` the
# trusted sample happens to hold more defaults (0.335) and the gap shrinks to 0.045: the noisy
# table passes. Rare, but a check with so little margin is one unlucky sample away from
# silence. What checks cannot see at all: label noise that keeps the class mix (as many 0s flipped
# to 1s as 1s to 0s), and a concept change. Those need fresh labels and monitoring (chapter 07).

# %% [markdown]
# **04.3** `label_mix` caught 40 % of defaults recorded as repaid. What is the *smallest* share,
# in steps of 5 % (0.05, 0.10, 0.15, ...), that it still catches? Mislabel `train` the same way
# (`kind="class_conditional"`, `rng=SEED + 5`) and validate each table against `schema`. Answer
# a fraction with two decimals (e.g. 0.35).

# %%
answer = None
mh.exercises.check("04.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
for relabelled_share in np.arange(0.05, 0.55, 0.05).round(2):
    mislabelled = mh.collect.label_noise(
        train, rate={1: relabelled_share}, kind="class_conditional", rng=SEED + 5
    )
    if "label_mix" in set(mh.quality.validate(mislabelled, schema).failures["check"]):
        break
answer = float(relabelled_share)
print(f"label_mix catches {answer:.0%} of defaults recorded as repaid, not {answer - 0.05:.0%}")
mh.exercises.check("04.3", answer)

# %% [markdown]
# ## 8 · A real label bug: Seattle weather, April 2013
#
# The Seattle weather file of the `vega_datasets` Python package (0.9.0) is in countless
# tutorials: daily precipitation, temperatures, wind, and a `weather` label (drizzle, fog, rain,
# snow, sun). From April 2013 on, its label is silently wrong; a later release
# (vega-datasets 3.2.1) fixed it. Both files ship with this workbook. The readings are identical.
# Keep one question in mind for the whole section: *how was each label produced?*

# %%
original = mh.datasets.load_seattle_weather("original")
fixed = mh.datasets.load_seattle_weather("fixed")
same_readings = all(
    original[c].equals(fixed[c]) for c in ["precipitation", "temp_max", "temp_min", "wind"]
)
print(f"{len(original)} days; readings identical in both files: {same_readings}")
print(f"days whose label differs: {(original['weather'] != fixed['weather']).sum()}")


# %%
def monthly(frame):
    month = frame["date"].dt.to_period("M").dt.to_timestamp()
    return frame.assign(rain=frame["weather"] == "rain", wet=frame["precipitation"] > 0).groupby(
        month
    )


fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
top.plot(
    monthly(fixed)["wet"].mean(),
    color="#999999",
    linestyle="--",
    label="days with precipitation > 0",
)
top.plot(monthly(fixed)["rain"].mean(), color="#0072B2", label="labelled rain: fixed file")
top.plot(monthly(original)["rain"].mean(), color="#D55E00", label="labelled rain: original file")
top.set_ylabel("share of days")
top.set_title("Seattle weather: the rain label vanishes in April 2013, the rain does not")
top.set_ylim(0, 1.3)
top.legend(loc="upper left", ncol=3, fontsize=8)
bottom.bar(
    monthly(original)["precipitation"].sum().index,
    monthly(original)["precipitation"].sum(),
    width=20,
    color="#009E73",
)
bottom.set_ylabel("precipitation (mm / month)")
bottom.set_xlabel("month")
bottom.set_title("The readings, identical in both files")
for ax in (top, bottom):
    ax.axvline(pd.Timestamp("2013-04-01"), color="#CC79A7", linewidth=2)
top.annotate(
    "2013-04: label bug starts",
    (pd.Timestamp("2013-04-01"), 0.9),
    xytext=(8, 0),
    textcoords="offset points",
    color="#CC79A7",
)
fig.tight_layout()

# %% [markdown]
# Now the model's view. Train a small decision tree on 2012 (`weather` from the four readings)
# and score it on each later year, against each file's labels.

# %%
readings = ["precipitation", "temp_max", "temp_min", "wind"]
year_of = original["date"].dt.year
tree = DecisionTreeClassifier(max_depth=4, random_state=SEED)
per_year = {}
for version, frame in {"original": original, "fixed": fixed}.items():
    tree.fit(frame.loc[year_of == 2012, readings], frame.loc[year_of == 2012, "weather"])
    per_year[version] = {
        year: tree.score(
            frame.loc[year_of == year, readings], frame.loc[year_of == year, "weather"]
        )
        for year in range(2012, 2016)
    }
pd.DataFrame(per_year).rename_axis("accuracy in year")

# %% [markdown]
# With the original labels the model seems to collapse from about 0.8 to about 0.4 after 2012:
# a team would blame drift, retrain on recent data, and teach the model that rainy days are
# foggy. With the fixed labels the same model holds steady. **Nothing about the weather
# changed; the labelling pipeline did.** A domain rule makes the bug obvious: a day with
# measurable precipitation should be `rain` (unless it snowed).

# %%
wet = original["precipitation"] > 0
rule = pd.DataFrame(
    {
        version: (frame.loc[wet, "weather"] == "rain").groupby(year_of[wet]).mean()
        for version, frame in {"original": original, "fixed": fixed}.items()
    }
).rename_axis("share of wet days labelled rain")
rule

# %% [markdown]
# The original file after March 2013 breaks the rule on almost every wet day. But look at the
# fixed file's column too: after March 2013 it follows the rule *perfectly*. That is a clue to
# what the fix was. Count, before and after April 2013, which days carry the label `rain`:

# %%
late = fixed["date"] >= "2013-04-01"
labels = {"original": original["weather"], "fixed": fixed["weather"]}
is_rain = {version: weather == "rain" for version, weather in labels.items()}
how_labelled = pd.DataFrame(
    {
        period: {
            "wet days labelled rain": f"{(is_rain[version] & wet & when).sum()} of {(wet & when).sum()}",
            "dry days labelled rain": f"{(is_rain[version] & ~wet & when).sum()} of {(~wet & when).sum()}",
            "wet days labelled fog": f"{(labels[version] == 'fog')[wet & when].sum()} of {(wet & when).sum()}",
        }
        for period, version, when in [
            ("before 2013-04 (both files)", "original", ~late),
            ("after: original file", "original", late),
            ("after: fixed file", "fixed", late),
        ]
    }
)
how_labelled

# %% [markdown]
# **What the fix was.** Nobody went back and looked at the sky: the fixed file relabels the
# days from April 2013 with the rule itself. Every wet day becomes `rain` (393 of 396; the other
# 3 are snow) and not one dry day does. Before April 2013 the labels mostly agree with the rule
# on wet days (204 rain, 23 snow), but 44 days labelled rain have a precipitation of 0: those
# labels came from something other than the rain gauge. So two of the statements above are partly circular: "a wet day is
# rain" is the *fix's* definition, not an independent fact, and the tree "holding steady" on
# the fixed file is scored against labels computed from `precipitation`, the very reading its
# first split uses. What the data does prove: the original labels after March 2013 are wrong
# (310 wet days called fog), and the readings did not change. What it cannot prove: that the
# fixed labels are the weather; they are a good rule's guess. **Before trusting a label, ask
# how it was produced; a label computed from a feature is not ground truth, and a model scored
# against it is partly scored against its own input.**

# %% [markdown]
# And the schema? Infer it from 2012 and validate 2014, in both files:

# %%
for version, frame in {"original": original, "fixed": fixed}.items():
    schema_2012 = mh.quality.infer_schema(frame[year_of == 2012], labels=("weather",))
    print(version, "->", mh.quality.validate(frame[year_of == 2014], schema_2012).summary())

# %% [markdown]
# `label_mix` fires on the original file (rain almost vanished), but it fires on the *fixed* file
# too (2014 simply had more sunny days than 2012): a distribution check says "something moved",
# and cannot tell a bug from a sunny year. The **domain rule** above can, as long as you
# remember that the fixed labels were made from it.

# %% [markdown]
# **04.4** How many days of **2013** carry a different `weather` label in the two files? Count
# them with code (an int).

# %%
answer = None
mh.exercises.check("04.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
in_2013 = original["date"].dt.year == 2013
answer = int(((original["weather"] != fixed["weather"]) & in_2013).sum())
mh.exercises.check("04.4", answer)

# %% [markdown]
# **04.5** The table above is per calendar year, and 2013 mixes months before and after the
# bug. In the *original* file, what share of the days from 1 April to 31 December 2013 with
# precipitation > 0 are labelled `rain`? Answer with a float (three decimals are enough).

# %%
answer = None
mh.exercises.check("04.5", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
after_bug = wet & (original["date"] >= "2013-04-01") & (original["date"] < "2014-01-01")
answer = float((original.loc[after_bug, "weather"] == "rain").mean())
mh.exercises.check("04.5", answer)

# %% [markdown]
# ## Key takeaways
#
# - The same model, with the same code, went from good to bad five times; only the data changed.
# - Missing *not* at random lies about the values you see; outcome-dependent selection and
#   systematic label noise hurt far more than random noise.
# - Old data is not just less data: it can describe a world that is gone. Check freshness.
# - Garbage in, garbage out: cleaning labels beat switching to a stronger algorithm.
# - A check is a few lines of pandas; a schema writes the checks down once, inferred from
#   trusted data and edited with what only the domain knows (hard bounds such as adult ages).
#   pandera runs it value by value and lists every failure case; reference-aware checks (null
#   rate, label mix, duplicates, freshness) compare the table with the trusted sample.
# - Domain rules catch what distribution checks cannot; concept changes need fresh labels and
#   monitoring.
# - Real data sets have real bugs: when "the model degrades", look at the labels first, and
#   ask how they were produced (the Seattle fix is itself a rule applied to a reading).
#
# **In production.**
# *pandera* (used in this chapter), *Great Expectations* and *Soda*: declarative checks on tables (null rates, ranges,
# categories, custom rules). *TensorFlow Data Validation*: schema inference and skew detection
# at scale. *dbt tests* and *source freshness*: checks inside the warehouse pipeline.
# *Cleanlab*: finds likely mislabelled rows from a model's own predictions. *Label Studio*:
# relabelling and review workflows. *Deequ* (Spark): data unit tests on large tables.
#
# Next: **05 · training vs serving**.
