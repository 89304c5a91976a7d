# %% [markdown]
# # 03 · When not to use ML
#
# A small lender asks you for "an AI that approves loans". Before you write `model.fit`, its
# senior credit officer shows you the rule she has used for twenty years: **decline when the
# applicant's debt payments exceed 43% of income** (the same debt-to-income limit US regulators
# once wrote into mortgage rules). One line, no training data, explainable to every applicant.
# Can a model beat it? When? And is beating it *worth* building and running a model?
#
# **Learning goals of this chapter**
#
# 1. Measure an expert rule and a model on the same test data, and read a **learning curve**:
#    how many labelled examples the model needs before it beats the rule.
# 2. Recognise the patterns where ML clearly wins (many weak signals, **interactions**), and
#    the ones where it barely can.
# 3. Turn an accuracy gain into money with a **value/cost calculator** and reach a go / no-go.
# 4. Use a four-question checklist before starting an ML project.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

import mlsys_helpers as mh
from mlsys_helpers import value

pd.set_option("display.precision", 3)
SEED = 3  # every experiment below derives its randomness from this seed


def gradient_boosting():
    """The model we compare with the rule: gradient-boosted trees, a strong default for tables."""
    return HistGradientBoostingClassifier(max_iter=60, random_state=SEED)


# %% [markdown]
# ## 1 · The expert's rule on day one
#
# The lender is young. Its records are messy: in one application out of five the recorded outcome
# is wrong (a booking error, a loan restructured and marked as "default"...). We simulate that
# with `LoanWorld(label_noise=0.2)`: 20% of the recorded labels are flipped. The test set is the
# later half of the applications, with the same noisy records, because that is all the lender
# can measure against.
#
# The rule is a `RuleClassifier` with a **fixed** threshold: fitting it only checks which side
# means "default", it learns nothing else from the data.

# %%
LABEL_NOISE = 0.2
young_lender = mh.world.LoanWorld(label_noise=LABEL_NOISE)
loans = young_lender.sample(8000, rng=SEED)
train, test = mh.train.time_split(loans, test_size=0.5)

expert = mh.train.RuleClassifier(feature="debt_ratio", threshold=0.43)
expert.fit(train[["debt_ratio"]], train["target"])
rule_accuracy = expert.score(test[["debt_ratio"]], test["target"])
print(expert.rule_)
print(f"expert rule accuracy on {len(test):,} later applications: {rule_accuracy:.3f}")
print(f"always 'no default':                           {1 - test['target'].mean():.3f}")

# %% [markdown]
# The rule is right about two times in three. That sounds poor, but remember that one label in
# five is wrong: no method can score much above 0.7 on these records.

# %% [markdown]
# ## 2 · How much data does the model need? A learning curve
#
# `mh.train.learning_curve` trains the model on random subsets of the training data of growing
# size (here 4 subsets per size) and scores each fit on the same test set. We plot the mean test
# accuracy against the number of training examples, with the rule as a horizontal line.
# This is the slowest cell of the chapter (about 5 s).

# %%
SIZES = (25, 50, 100, 200, 400, 800, 1600, 3200)
model = mh.train.make_pipeline_for(train, model=gradient_boosting())
curve = mh.train.learning_curve(
    train, test, model=model, baseline=expert, sizes=SIZES, repeats=4, rng=SEED
)
by_size = curve[curve["estimator"] == "model"].groupby("n_train")["score"]
table = pd.DataFrame({"model": by_size.mean(), "worst": by_size.min(), "best": by_size.max()})
table["rule"] = rule_accuracy
table["model - rule"] = table["model"] - rule_accuracy
crossover = next(n for n in table.index if (table.loc[n:, "model - rule"] > 0).all())
print(f"the model beats the rule from {crossover} training examples on")
table

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.fill_between(
    table.index,
    table["worst"],
    table["best"],
    color="#0072B2",
    alpha=0.2,
    label="model: worst to best of 4 subsets",
)
ax.plot(table.index, table["model"], "o-", color="#0072B2", label="model (gradient boosting), mean")
ax.axhline(rule_accuracy, color="#D55E00", ls="--", lw=2, label="expert rule: debt ratio > 0.43")
ax.axvline(crossover, color="#009E73", ls=":", lw=2)
ax.annotate(
    f"model ahead from {crossover} examples on",
    (crossover, table["best"].max()),
    xytext=(-8, 0),
    textcoords="offset points",
    ha="right",
    va="top",
    color="#009E73",
)
ax.set_xscale("log")
ax.set_xticks(table.index, [str(n) for n in table.index])
ax.set_xlabel("labelled training examples (log scale)")
ax.set_ylabel("test accuracy (noisy records)")
ax.set_title("The rule is ready on day one; the model needs data to catch up")
legend = ax.legend(loc="lower right")

# %% [markdown]
# Read the curve from left to right:
#
# - With a few dozen examples the model is **worse** than the rule: it fits the noise.
# - Around a couple of hundred examples it catches up; beyond that it pulls ahead, and keeps
#   gaining slowly as data grows.
# - The shaded band is the spread over 4 random training subsets: with little data, *which*
#   examples you happen to have matters a lot.
#
# **Experiment.** Set `LABEL_NOISE = 0.0` in the cell of section 1 and re-run both cells: with
# clean records the model overtakes the rule much earlier (around 50 examples). Set it to `0.3`:
# the crossover moves right, and the model's lead at 3,200 examples shrinks. Noisy labels make
# data more expensive.

# %% [markdown]
# ### Exercise 03.1
#
# The lender's first month brought 100 labelled applications: `train.iloc[:100]` (not a random
# subset like the curve's). Train `mh.train.make_pipeline_for(train, model=gradient_boosting())`
# on them and score it on `test`. By how much does its accuracy differ from the rule's? Answer
# model accuracy minus rule accuracy (a float, negative if the rule is better; three decimals).

# %%
answer = None
mh.exercises.check("03.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
first_month = train.iloc[:100]
early_model = mh.train.make_pipeline_for(train, model=gradient_boosting())
early_model.fit(first_month, first_month["target"])
early_accuracy = early_model.score(test, test["target"])
answer = early_accuracy - rule_accuracy
print(f"model after 100 examples: {early_accuracy:.3f}, rule: {rule_accuracy:.3f}")
mh.exercises.check("03.1", answer)

# %% [markdown]
# ## 3 · Where ML clearly wins: many signals and an interaction
#
# Five years later the lender has 5,000 clean, audited outcomes and a full application form:
# income, debt ratio, age, years in the current job, credit history, loan amount, region and
# sales channel. Now we give the rule its best chance: instead of the expert's threshold we let
# `RuleClassifier()` **search every numeric column and every threshold** for the single rule that
# fits the training data best.

# %%
lender = mh.world.LoanWorld()
history = lender.sample(9000, rng=SEED + 1)
train2, test2 = mh.train.time_split(history, test_size=4000)
numeric = list(lender.numeric_features)

best_rule = mh.train.RuleClassifier().fit(train2[numeric], train2["target"])
logistic = mh.train.make_pipeline_for(train2).fit(train2, train2["target"])
boosting = mh.train.make_pipeline_for(train2, model=gradient_boosting())
boosting.fit(train2, train2["target"])
print(f"{len(train2):,} clean outcomes to learn from, {len(test2):,} later ones to test on")
print("best single rule found:", best_rule.rule_)

# %% [markdown]
# There is a pattern in this world that no single threshold can express: a loan larger than 35%
# of a year's income is *very* risky **when** the applicant has also held the job for less than
# two years. Each condition alone raises the risk only moderately. The default rates of the test
# applicants, by condition:

# %%
stretched = (test2["loan_amount"] / test2["income"] > 0.35) & (test2["employment_years"] < 2)
loan = np.where(test2["loan_amount"] / test2["income"] > 0.35, "loan > 35% of income", "smaller")
job = np.where(test2["employment_years"] < 2, "job < 2 years", "job >= 2 years")
conditions = pd.DataFrame({"loan": loan, "job": job, "defaulted": test2["target"].to_numpy()})
conditions.groupby(["loan", "job"])["defaulted"].agg(applicants="size", default_rate="mean")

# %% [markdown]
# Neither condition alone pushes the default rate past one in two, so a rule on either column
# alone still approves these applicants; together they default far more often than not. Let us
# look at that group of "stretched" applicants separately.

# %%
predictions = {
    "expert rule (debt ratio > 0.43)": expert.predict(test2[["debt_ratio"]]),
    "best single rule (searched)": best_rule.predict(test2[numeric]),
    "logistic regression": logistic.predict(test2),
    "gradient boosting": boosting.predict(test2),
}
correct = {name: p == test2["target"].to_numpy() for name, p in predictions.items()}
scores = pd.DataFrame(
    {
        "all applicants": {name: ok.mean() for name, ok in correct.items()},
        f"stretched ({stretched.mean():.0%} of them)": {
            name: ok[stretched.to_numpy()].mean() for name, ok in correct.items()
        },
    }
)
overall = scores["all applicants"]
ml_lead = overall["gradient boosting"] - overall["best single rule (searched)"]
print(f"gradient boosting beats the best single rule by {100 * ml_lead:.1f} accuracy points")
scores

# %%
fig, ax = plt.subplots(figsize=(8, 4))
positions = np.arange(len(scores))
for k, (column, colour) in enumerate(zip(scores.columns, ["#0072B2", "#CC79A7"], strict=True)):
    ax.barh(positions + 0.2 - 0.4 * k, scores[column], height=0.4, color=colour, label=column)
ax.set_yticks(positions, scores.index)
ax.invert_yaxis()
ax.set_xlim(0, 1)
ax.set_xlabel("test accuracy (clean outcomes)")
ax.set_title("Rules see one column; trees see the combination")
legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
fig.tight_layout()

# %% [markdown]
# Two lessons in one table:
#
# - On all applicants, both models beat the best possible single rule by more than **10
#   points**: the risk is spread over many columns, and a model adds them up.
# - In the stretched group the rules are no better than a coin, and even logistic regression
#   (which adds effects but cannot multiply them) misses many of them. Gradient-boosted trees
#   split on loan/income *and then* on employment, and catch the interaction.
#
# Now the contrast. Suppose the application form were **thin**: only debt ratio, age and region.
# Same lender, same 5,000 outcomes, same model.

# %%
thin = ["debt_ratio", "age", "region"]
thin_model = mh.train.make_pipeline_for(train2, features=thin, model=gradient_boosting())
thin_model.fit(train2, train2["target"])
accuracy = {
    "expert rule, full data": expert.score(test2[["debt_ratio"]], test2["target"]),
    "gradient boosting, thin form": thin_model.score(test2, test2["target"]),
    "gradient boosting, full form": boosting.score(test2, test2["target"]),
}
for name, acc in accuracy.items():
    print(f"{name:30s} {acc:.3f}")

# %% [markdown]
# With the thin form the model gains only a point or two over the expert: the information that
# makes ML worthwhile is simply not in the data. More data does not fix that; collecting better
# features might.
#
# **Experiment.** Add `"income"` to `thin` and re-run: the model's lead over the rule should
# grow by about ten points, because income is the strongest single signal in this world.

# %% [markdown]
# ### Exercise 03.2
#
# In the training data `train2`, how many times as often do the *stretched* applicants (loan
# above 35% of income **and** less than 2 years in the job) default as the applicants with
# **neither** condition? Answer the ratio of the two default rates (a float; one decimal is
# enough).

# %%
answer = None
mh.exercises.check("03.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
large_loan = train2["loan_amount"] / train2["income"] > 0.35
new_job = train2["employment_years"] < 2
stretched_rate = train2.loc[large_loan & new_job, "target"].mean()
neither_rate = train2.loc[~large_loan & ~new_job, "target"].mean()
answer = stretched_rate / neither_rate
print(
    f"stretched: {stretched_rate:.3f} defaulted; neither condition: {neither_rate:.3f}; "
    f"ratio {answer:.1f}"
)
mh.exercises.check("03.2", answer)

# %% [markdown]
# ## 4 · Is it worth it? A value/cost calculator
#
# Accuracy is not money. A common first business case still starts from accuracy:
# `value.decision_value` says that every decision the model gets right where the rule got it
# wrong **earns** the value of a correct decision *and* **saves** the cost of an error, so per
# decision the gain is `(accuracy - baseline_accuracy) * (value_per_correct + cost_per_error)`;
# and a model has to pay back its **build cost** and its **upkeep** every year (monitoring,
# retraining, an engineer on call, infrastructure) within a horizon, here 3 years. The verdict is
# **go** when the net value over the horizon is positive. Our lender's numbers: a correct
# decision is worth 100 (fees and margin), an error costs 2,000 (mostly defaults), building
# costs 150,000 and running it 100,000 a year.

# %%
economics = dict(
    value_per_correct=100,
    cost_per_error=2_000,
    build_cost=150_000,
    upkeep_per_year=100_000,
    years=3,
)
SMALL_LENDER, BIG_LENDER = 3_000, 50_000  # decisions per year
rule_full = accuracy["expert rule, full data"]
thin_acc = accuracy["gradient boosting, thin form"]
full_acc = accuracy["gradient boosting, full form"]
scenarios = {  # name: (model accuracy, rule accuracy, decisions per year)
    "first month, 100 examples": (table.loc[100, "model"], rule_accuracy, SMALL_LENDER),
    "small lender, thin form": (thin_acc, rule_full, SMALL_LENDER),
    "small lender, full form": (full_acc, rule_full, SMALL_LENDER),
    "big lender, thin form": (thin_acc, rule_full, BIG_LENDER),
}
cases = {
    name: value.decision_value(
        accuracy=acc, baseline_accuracy=base, decisions_per_year=volume, **economics
    )
    for name, (acc, base, volume) in scenarios.items()
}
money = value.cases_table(cases)
shown = pd.DataFrame({"model": money["accuracy"], "rule": money["baseline_accuracy"]})
shown["decisions/year"] = money["decisions_per_year"].map("{:,.0f}".format)
shown["gain/decision"] = money["gain_per_decision"].map("{:,.1f}".format)
shown["net, 3 years"] = money["net_value"].map("{:,.0f}".format)
shown["break-even decisions/year"] = money["break_even_decisions_per_year"].map("{:,.0f}".format)
shown["verdict"] = money["verdict"]
shown

# %% [markdown]
# This calculation has the flaw chapter 01 warned about: it prices every error alike. For a
# lender, errors come in two kinds. A **wrong approval** (the loan defaults) loses 2,000; a
# **wrong decline** (a good applicant turned away) loses only the 100 the loan would have
# earned; a declined application earns and loses nothing. Price each kind of decision on its
# own, as chapter 01's scorecard did (`value.payoff_per_decision`), and run the same go / no-go
# arithmetic on the difference in money per decision (`value.payoff_value`). The first-month
# case is left out: its records are too noisy (one outcome in five is wrong) to price decisions
# with.

# %%
PAYOFFS = {(0, 0): 100, (0, 1): -2_000}  # (decision, outcome): approve & repaid, approve & default
rule_decisions = expert.predict(test2[["debt_ratio"]])
per_decision = {
    "expert rule": value.payoff_per_decision(rule_decisions, test2["target"], payoffs=PAYOFFS),
    "thin form": value.payoff_per_decision(thin_model.predict(test2), test2["target"],
                                           payoffs=PAYOFFS),
    "full form": value.payoff_per_decision(boosting.predict(test2), test2["target"],
                                           payoffs=PAYOFFS),
}  # fmt: skip
priced = {
    name: value.payoff_value(
        payoff=per_decision[form],
        baseline_payoff=per_decision["expert rule"],
        decisions_per_year=volume,
        **{k: economics[k] for k in ("build_cost", "upkeep_per_year", "years")},
    )
    for name, form, volume in [
        ("small lender, thin form", "thin form", SMALL_LENDER),
        ("small lender, full form", "full form", SMALL_LENDER),
        ("big lender, thin form", "thin form", BIG_LENDER),
    ]
}
by_kind = value.cases_table(priced)
compare = pd.DataFrame(
    {
        "gain/decision (accuracy)": money["gain_per_decision"],
        "gain/decision (per kind)": by_kind["gain_per_decision"],
        "break-even (accuracy)": money["break_even_decisions_per_year"],
        "break-even (per kind)": by_kind["break_even_decisions_per_year"],
        "net, 3 years (per kind)": by_kind["net_value"],
        "verdict (per kind)": by_kind["verdict"],
    }
).loc[list(priced)]
decisions = {
    "expert rule": rule_decisions,
    "thin form": thin_model.predict(test2),
    "full form": boosting.predict(test2),
}
outcome = test2["target"].to_numpy()
kinds = pd.DataFrame(
    {
        "wrong approvals": {n: np.mean((d == 0) & (outcome == 1)) for n, d in decisions.items()},
        "wrong declines": {n: np.mean((d == 1) & (outcome == 0)) for n, d in decisions.items()},
        "money/decision": per_decision,
    }
)
print(kinds.round(3).to_string(), end="\n\n")
shown_kinds = compare.copy()
for column in compare.columns[:2]:
    shown_kinds[column] = compare[column].map("{:,.1f}".format)
for column in compare.columns[2:5]:
    shown_kinds[column] = compare[column].map("{:,.0f}".format)
shown_kinds

# %% [markdown]
# The thin-form model's gain shrinks from about 31 to about 5 per decision, and the volume it
# needs to break even grows six-fold, from 4,843 to 28,436 decisions a year. Why:
# its accuracy gain over the rule comes mostly from declining fewer good applicants (each worth
# 100), hardly from catching more defaults (each worth 2,000); accuracy counted both as 2,100.
# The full-form model catches defaults the rule approves, so it stays far ahead. (With another
# `SEED` the thin form fixes more wrong approvals and the gap is smaller, but pricing by kind
# never gives it more than accuracy does: a fixed wrong decline is worth 100, a fixed wrong
# approval 2,000, and accuracy counted both as 2,100.) At these prices every method loses money
# per decision in this risky world; the decision to build rests on the difference, which is
# what the calculator uses.
#
# - **First month:** the model is *less* accurate than the rule: no-go, whatever the volume (the
#   break-even volume is infinite).
# - **Small lender, thin form:** 3,000 decisions a year do not pay for a team that builds and
#   runs it: no-go. Keep the rule.
# - **Small lender, full form** and **big lender, thin form:** go. A big gain pays at small
#   volume; a small gain pays only at large volume, and here with little margin: the big
#   lender's thin-form model is worth a fraction of what accuracy promised.
#
# One case in words:

# %%
print(priced["big lender, thin form"].summary())

# %% [markdown]
# **Experiment.** Errors are not always expensive. Set the loss of an approved default in
# `PAYOFFS` to `-200` (a small overdraft instead of a loan) and re-run the last three cells: the
# small lender with the full form should flip to **no-go** although its model is right on
# 0.891 of the applicants against the rule's 0.736, and so should the big lender with the thin
# form, whose gain falls to under 2 per decision. Volume and stakes matter as much as accuracy.

# %% [markdown]
# ### Exercise 03.3
#
# Priced by kind, the small lender with the thin form needs 28,436 decisions a year to break
# even (the table above). Suppose it finds a cheaper way to run the model: upkeep of **50,000**
# a year instead of 100,000, everything else unchanged. How many decisions per year does it
# need now to break even, each kind of error still priced on its own? Answer a whole number
# of decisions (within 100 of the exact value passes).

# %%
answer = None
mh.exercises.check("03.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
cheaper = value.payoff_value(
    payoff=per_decision["thin form"],
    baseline_payoff=per_decision["expert rule"],
    decisions_per_year=SMALL_LENDER,
    build_cost=economics["build_cost"],
    upkeep_per_year=50_000,
    years=economics["years"],
)
answer = cheaper.break_even_decisions_per_year
print(f"{answer:,.0f} decisions per year (it makes {SMALL_LENDER:,}): {cheaper.verdict}")
mh.exercises.check("03.3", answer)

# %% [markdown]
# ## 5 · A checklist before you start an ML project
#
# | question | how to answer it with numbers | in this chapter |
# |---|---|---|
# | **Complex patterns?** | Fit the best simple rule and a model on the data you will have; is the gap large? | full form: > 10 points; thin form: 1-2 points |
# | **Enough data?** | A learning curve: where does the model overtake the rule, and do you have that many clean labels? | with noisy records, a few hundred examples before the model even catches up |
# | **Measurable value?** | Money per decision, each kind of error priced on its own, times volume, against build and upkeep: the calculator above | small lender + thin form: no-go |
# | **Cost of errors?** | What does one wrong decision cost, who bears it, can it be undone or appealed? Must each decision be explained? | a wrong approval costs 20 times what a wrong decline forgoes; credit decisions must be explained to applicants |
#
# If the answer to any of them is "no" or "we don't know", start with the rule, log its
# decisions and their outcomes, and revisit when the data has grown. The rule is also the
# **baseline** every later model must beat and the **fallback** when the model fails (chapter 05).

# %% [markdown]
# ### Exercise 03.4
#
# A city asks for a model to choose which of its 40 bridges to inspect first. Its structural
# engineer ranks them with a rule (age above 50 years, then heavy-truck traffic). The city's
# records hold 12 bridge failures in 30 years; a missed failure can kill people; a good ranking
# would save inspection money. Which checklist question does this project fail most clearly?
# Answer with the question's words (e.g. `"measurable value"`).

# %%
answer = None
mh.exercises.check("03.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = "enough data"  # 12 positive examples cannot beat decades of engineering knowledge
mh.exercises.check("03.4", answer)

# %% [markdown]
# ## Key takeaways
#
# - A good expert rule is a strong, free, day-one baseline. Measure it on the same test data as
#   the model, always.
# - A **learning curve** answers "how much data do we need?": with few or noisy labels the model
#   is worse than the rule, and the crossover is where ML starts to make sense.
# - ML wins clearly when the signal is spread over many columns and in **interactions** that one
#   threshold cannot express; with thin data it barely beats the rule, however much you collect.
# - Accuracy points become money only through decisions: price each kind of error on its own
#   (a wrong approval is not a wrong decline), then volume times money per decision must pay for
#   building *and running* the model. A better model can still be a no-go.
# - Before you start: complex patterns? enough data? measurable value? cost of errors?
#
# **In production.**
# - *Credit scorecards* (points tables in banks, e.g. built with logistic regression and
#   binning) remain the baseline and often the product, because regulators require reasons
#   for each decision (e.g. adverse-action notices).
# - *Rule engines* such as Drools or business-rule features in decision platforms keep expert
#   rules versioned, tested and auditable.
# - *scikit-learn's* `DummyClassifier` and `learning_curve` give the trivial baseline and the
#   learning curve in two calls.
# - *Experiment platforms* (A/B testing, shadow deployment) measure the value of a model on
#   live decisions before it replaces the rule.
#
# Next: **04 · data is where systems fail**.
