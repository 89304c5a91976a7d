# %% [markdown]
# # 10 · Shipping a model safely, and the feedback loops that fool you
#
# Chapter 08 retrained the default-risk model whenever the policy said so, and swapped the new
# model in at once. Real teams do not. A new model meets real traffic in steps, each cheaper to
# undo than the next: it first scores requests **in the shadow** without acting, then serves a
# **canary** share of the traffic with guardrails that roll it back automatically, and only
# then is it judged on the business metric in an **A/B test**. This chapter runs each step and
# shows where it fools you: an offline winner that fails one slice, a canary too small to see
# anything, an A/B test that "wins" because someone looked every day.
#
# Then the failure production teams find hardest to see: the model **changing the data it will
# learn from**. A lender only learns whether an applicant repays if it approves the loan. Retrain
# on those labels and the part of the world the model declines goes dark.
#
# **Learning goals of this chapter**
#
# 1. Compare a candidate with the current model in shadow mode, per slice, before anyone is
#    exposed to it.
# 2. Roll a model out as a canary with guardrails, and say how many requests a step needs
#    before it can tell a bad candidate from a good one.
# 3. Size an A/B test with a power calculation; show by simulation why peeking at it every day
#    inflates false positives, and fix it (a fixed horizon, or an alpha-spending rule).
# 4. Explain selective labels: why accuracy measured on approved loans looks fine while the
#    model grows blind to the applicants it declines; compare exploration, inverse-propensity
#    weighting and a holdout, with their costs.
# 5. Report metrics per slice, and trust a slice only when it has enough rows.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

import mlsys_helpers as mh
from mlsys_helpers.deploy import Guardrail, Release
from mlsys_helpers.loop import Feedback, Periodic

pd.set_option("display.precision", 3)
SEED = 10  # each experiment below uses rng=SEED + k with its own k, so each can be re-run alone
world = mh.world.LoanWorld()

# %% [markdown]
# ## 1 · Shadow mode: a candidate that wins offline
#
# The current model is the logistic-regression pipeline of earlier chapters, trained on a year
# of applications. The data team has a **candidate**: gradient boosting, trained on the last few
# months. One detail hides in how those months were collected: a broker partner paused its
# referrals, so **brokers are almost absent** from the recent data (about 1 % of what they
# usually are). The offline test set, cut from the same months, has the same hole.

# %%
history = world.sample(6000, start="2024-01-01", freq="1h", rng=SEED)
current = mh.train.make_pipeline_for(history).fit(history, history["target"])

recent = world.sample(8000, start="2024-09-01", freq="30min", rng=SEED + 1)
recent = mh.collect.sampling_bias(recent, column="channel", keep={"broker": 0.01}, rng=SEED + 2)
train, test = recent.iloc[:6000], recent.iloc[6000:]
boosting = HistGradientBoostingClassifier(max_iter=100, random_state=SEED)
candidate = mh.train.make_pipeline_for(train, model=boosting).fit(train, train["target"])


def accuracy(model, frame):
    return float((model.predict(frame) == frame["target"]).mean())


print(
    f"candidate's training data: {len(train)} rows, {(train['channel'] == 'broker').sum()} brokers"
)
print(f"offline test: {len(test)} rows, {(test['channel'] == 'broker').sum()} brokers")
print(f"accuracy current {accuracy(current, test):.3f}, candidate {accuracy(candidate, test):.3f}")

# %% [markdown]
# The candidate wins offline by about a point. Ship it? In **shadow mode** it scores every live
# request next to the current model, its answers are logged, and nobody acts on them.
# `mh.deploy.shadow_compare` lines the two up per slice: how often they make the same decision
# (`agreement`), how many each would decline, how far the scores move. The live traffic has its
# usual 15 % of brokers.

# %%
live = world.sample(4000, start="2025-01-06", freq="5min", rng=SEED + 3)
shadow = mh.deploy.shadow_compare(live, current, candidate, by="channel")
shadow

# %% [markdown]
# Overall, the two agree on about nine decisions in ten, the kind of number that gets a
# candidate waved through. Per slice the picture splits: on online and branch applications they
# agree more than overall, on **brokers** much less, and the candidate would decline about half
# as many of them. Shadow mode cannot say which model is right (no outcomes yet), but it says
# exactly where to look before anyone is exposed. A replay of past traffic whose outcomes are
# known (`target=`) answers the question:

# %%
replay = mh.deploy.shadow_compare(live, current, candidate, by="channel", target="target")
replay[["rows", "agreement", "current_accuracy", "candidate_accuracy"]]

# %%
p_now = current.predict_proba(live)[:, 1]
p_new = candidate.predict_proba(live)[:, 1]
broker = live["channel"].eq("broker").to_numpy()
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.scatter(p_now[~broker], p_new[~broker], s=4, alpha=0.35, color="#0072B2",
           label="branch and online")  # fmt: skip
ax.scatter(p_now[broker], p_new[broker], s=6, alpha=0.6, color="#D55E00", label="broker")
ax.plot([0, 1], [0, 1], color="#555555", linewidth=1)
ax.axhline(0.5, color="#999999", linestyle=":", linewidth=1)
ax.axvline(0.5, color="#999999", linestyle=":", linewidth=1)
ax.set(xlabel="current model: P(default)", ylabel="candidate: P(default)",
       title="Shadow scores of 4,000 live requests")  # fmt: skip
_ = ax.legend(loc="upper left")

# %% [markdown]
# Points on the diagonal are requests the two models score alike; the dotted lines cut the
# plane into "both approve", "both decline" and the two disagreement corners. The brokers
# (orange) fall below the diagonal: the candidate never learned that broker loans default
# more, because its training data had nine of them. **A model is only as good as the slices
# its test set contains**; shadow mode on real traffic is where a missing slice shows up.
#
# Shadow mode also measures what the offline test cannot: the candidate's latency and error
# rate on real requests, under real load. Boosting is slower than a logistic regression, and
# the candidate's new feature code fails on some requests. Here both services are simulated
# (`mh.deploy.Release`: an error rate, a fallback rate, a log-normal latency), answering the
# same 4,000 requests:

# %%
services = {
    "current": Release(error_rate=0.002, latency_ms=25.0),
    "candidate": Release(error_rate=0.004, latency_ms=55.0),
}
observed = {name: release.sample(len(live), rng=SEED + 12) for name, release in services.items()}
pd.DataFrame(
    {
        name: {
            "error rate": obs["error"].mean(),
            "fallback rate": obs["fallback"].mean(),
            "latency p50 (ms)": obs["latency_ms"].median(),
            "latency p99 (ms)": obs["latency_ms"].quantile(0.99),
        }
        for name, obs in observed.items()
    }
)

# %% [markdown]
# The candidate is twice as slow and fails a little more often, still well inside the limits
# the team has set (errors under 1 %, p99 under 250 ms). Those limits become the guardrails of
# the next step.

# %% [markdown]
# ## 2 · Canary: a little traffic, guardrails, automatic rollback
#
# A canary serves a growing share of the traffic, here 1 % → 10 % → 50 % → 100 % of 20,000
# requests a day, and checks **guardrails** at every step: the error rate at most 1 %, the
# fallback rate at most 3 %, the latency p99 at most 250 ms. A step *breaches* a guardrail when
# a one-sided binomial test on the candidate's requests rejects "within the limit" at
# `alpha = 0.01`; the first breach rolls the candidate back.
#
# The canary cannot see the model's accuracy (no labels yet); it sees the **release**: how often
# requests fail, fall back or are slow. `mh.deploy.Release` describes one. The bad candidate
# below fails 3 % of its requests (say, a feature the new model needs is missing for some
# clients).

# %%
GUARDRAILS = [
    Guardrail("error_rate", 0.01),
    Guardrail("fallback_rate", 0.03),
    Guardrail("latency_p99", 250.0),  # milliseconds
]
good = Release()  # errors 0.2 %, fallbacks 1 %, median latency 40 ms
bad = Release(error_rate=0.03)
rollout = mh.deploy.canary(bad, guardrails=GUARDRAILS, rng=SEED + 8)
served = rollout.checks.drop_duplicates("step")  # one row per step: its fraction and requests
print(
    f"rolled back at {rollout.rolled_back_at:.0%} of the traffic, after "
    f"{served['requests'].sum():,} of its requests "
    f"(a step is a day of {round(served['requests'].iloc[0] / served['fraction'].iloc[0]):,})"
)
rollout.checks

# %% [markdown]
# At 1 % the candidate served 200 requests: five failures, and the test could not tell 3 % from
# 1 % (p about 0.05, no breach at `alpha = 0.01`). At 10 % it served 2,000 and the evidence was
# overwhelming: rolled back after 2,200 of its requests, instead of the 20,000 a day that a
# direct switch would have sent it.
# (In other runs the first step already sees enough failures: the table below counts them.)
# How many requests does a step need? `requests_to_tell` answers it exactly for a given true
# rate (power 95 %):

# %%
print(
    f"to catch errors at 3% against a 1% limit: {mh.deploy.requests_to_tell(0.03, 0.01)} requests"
)
print(
    f"to catch errors at 1.5%:                 {mh.deploy.requests_to_tell(0.015, 0.01)} requests"
)

# %% [markdown]
# A small step catches only a large breach: the closer the candidate is to its limit, the more
# traffic it must serve before anyone can tell. One rollout is one draw; here are a thousand of
# each kind of candidate, with where each one stopped:

# %%
candidates = {
    "good": good,
    "errors 3%": bad,
    "errors 1.5%": Release(error_rate=0.015),
    "slow (p99 ~290 ms)": Release(latency_ms=90.0),
}
stops = pd.DataFrame(
    {
        name: mh.deploy.canary_runs(release, guardrails=GUARDRAILS, runs=1000, rng=SEED + 5)
        .fillna(1.01)
        .value_counts(normalize=True)
        for name, release in candidates.items()
    }
).fillna(0.0)
stops.index = [f"rolled back at {f:.0%}" if f <= 1 else "promoted" for f in stops.index]
stops.T

# %% [markdown]
# The good candidate is promoted in every run: strict tests at every step rarely roll back a
# healthy release. The 3 % one never reaches 50 %. The 1.5 % one slips past the first step
# almost always, is caught at 10 % in about four runs of ten and at 50 % in most of the
# others: **a canary protects you from big breaches fast and from small ones late**. Raise
# `requests_per_step` (a longer step) and it catches them earlier.
#
# **Experiment.** Add `steps=(0.05, 0.25, 1.0)` to `canary_runs` above: a bigger first step,
# and the 3 % candidate is almost always caught at 5 %. Set `alpha=0.05` instead: the 3 %
# candidate is caught at 1 % in more than half of the runs, and the good one is still always
# promoted, because it is far inside its limits (a release close to its limits would now be
# rolled back by chance more often).

# %% [markdown]
# **10.1** A candidate's fallback rate is 5 % against the 3 % guardrail. How many of its
# requests does the canary need to catch it with 95 % power at `alpha = 0.01`? Answer with an
# int.

# %%
answer = None
mh.exercises.check("10.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = mh.deploy.requests_to_tell(0.05, 0.03)
mh.exercises.check("10.1", answer)

# %% [markdown]
# ## 3 · The A/B test: sized in advance, read once
#
# The canary says the release is *healthy*. Whether the new model is *better for the business*
# (say, it raises the share of applicants who take the loan they are offered from 10 % to 11 %)
# is a question for an A/B test. First the sample size: how many users per arm does it take to
# detect one point with 80 % power at `alpha = 0.05`?

# %%
plan = mh.deploy.plan_ab(0.10, 0.01, daily_users=2000)
print(f"{plan['n_per_arm']} users per arm: {plan['days']} days at 2,000 users a day")
try:
    mh.deploy.plan_ab(0.10, 0.002, daily_users=2000)
except ValueError as error:
    print("a 0.2-point effect:", error)

# %% [markdown]
# A smaller effect needs far more users: the sample size grows with one over the effect
# squared. Asking for an effect the traffic cannot detect is an error, not a plan.
#
# Now the trap. The test is planned for 15 days, but the dashboard shows the p-value every
# morning, and a product manager stops the test the first morning it says p < 0.05. To see what
# that does, run **A/A tests**: both arms get the same model, so every "win" is a false
# positive. `mh.deploy.simulate_ab` runs thousands of them, vectorised.

# %%
AB = {"baseline": 0.10, "daily_users": 2000, "days": 15}
rules = {
    "peek every day": "peek",
    "fixed horizon (15 days)": "fixed",
    "alpha spending": "spending",
}
aa = {
    name: mh.deploy.simulate_ab(4000, **AB, rule=rule, rng=SEED + 6) for name, rule in rules.items()
}
ab = {
    name: mh.deploy.simulate_ab(4000, **AB, effect=0.01, rule=rule, rng=SEED + 7)
    for name, rule in rules.items()
}
summary = pd.DataFrame(
    {
        "false positives (A/A)": {k: v["significant"].mean() for k, v in aa.items()},
        "power (+1 point)": {k: v["significant"].mean() for k, v in ab.items()},
        "mean days to a win": {k: v.loc[v["significant"], "day"].mean() for k, v in ab.items()},
    }
)
summary

# %% [markdown]
# Peeking every day declares a winner in almost one A/A test in four, more than four times the
# 5 % the team thinks it runs at: each look is another chance for noise to cross the line, and the
# first crossing ends the test. Two fixes:
#
# - **A fixed horizon**: decide the length with the power calculation, look once at the end.
#   False positives at `alpha`, full power; the cost is waiting all 15 days, even for a big win.
# - **Alpha spending**: allow a look every day, but give each look only a slice of the 5 %
#   (`mh.deploy.spending_levels`: almost nothing early, most at the end). False positives stay
#   below 5 %, and a true win usually stops early (about 10 days instead of 15). The price here
#   is power, because this simple rule (Bonferroni over the looks) is conservative: to match
#   the fixed test's power it needs a longer maximum horizon (next experiment), and exact
#   group-sequential boundaries (O'Brien-Fleming) waste less.

# %%
days = np.arange(1, AB["days"] + 1)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
for (name, runs), colour in zip(aa.items(), ["#D55E00", "#0072B2", "#009E73"], strict=True):
    stopped = runs.loc[runs["significant"], "day"]
    share = [(stopped <= d).sum() / len(runs) for d in days]
    left.step(days, share, where="post", color=colour, label=name)
left.axhline(0.05, color="#555555", linestyle="--", linewidth=1, label="alpha = 0.05")
left.set(xlabel="day of the test", ylabel="share of A/A tests declared a win",
         title="A/A tests: false positives pile up with each look")  # fmt: skip
left.legend(fontsize=8)
levels = mh.deploy.spending_levels(AB["days"])
right.bar(days, levels, color="#009E73")
right.axhline(
    0.05, color="#D55E00", linestyle="--", linewidth=1, label="the peeker's level, every day"
)
right.set(xlabel="day of the test", ylabel="p-value needed to stop",
          title="Alpha spending: a slice of 5% per look")  # fmt: skip
right.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# **Experiment.** The cost of alpha spending in days: run it with a 24-day maximum,
# `mh.deploy.simulate_ab(4000, **(AB | {"days": 24}), effect=0.01, rule="spending")`. Its power
# is back above 0.8, and a true win then stops after about 15 days on average: this simple rule
# buys the freedom to look every day, not speed. Set `daily_users` to 20,000 in `AB`: peeking
# is just as wrong, because its false-positive rate depends on how many times you look, not on
# how many users each look sees.

# %% [markdown]
# **10.2** Run 4,000 A/A tests of 30 days (same baseline and traffic) and stop each at the first
# day with p < 0.05, with `rng=SEED + 4`. What share of them declare a winner? Answer with a
# float between 0 and 1; two decimals are enough.

# %%
answer = None
mh.exercises.check("10.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
runs = mh.deploy.simulate_ab(4000, **(AB | {"days": 30}), rule="peek", rng=SEED + 4)
answer = float(runs["significant"].mean())
mh.exercises.check("10.2", answer)

# %% [markdown]
# ## 4 · Feedback loops: the model chooses its own labels
#
# Back to the loan model, now retrained every week (`Periodic(1)`, chapter 08) on **all the
# labelled loans so far**. The catch: a loan's outcome is only known if the loan was granted.
# With `feedback=Feedback()`, `mh.loop.simulate` lets the model decide: an applicant with a
# predicted default probability of 0.5 or more is declined and never gets a label.
#
# The world has one planted change. Broker applications used to default almost always (95 %),
# so the model learned to decline them all. In week 4 the broker partner tightens its vetting
# and broker loans start to default only 10 % of the time (`mh.deploy.redraw_segment`). Only
# labels from brokers could reveal that, and the model approves none.

# %%
START, WEEK, WEEKS, PER_WEEK = pd.Timestamp("2024-01-01"), pd.Timedelta("7D"), 16, 1000
applicants = world.sample(PER_WEEK * (WEEKS + 1), start=START - WEEK, freq=WEEK / PER_WEEK,
                          rng=SEED + 9)  # fmt: skip
applicants = mh.deploy.redraw_segment(applicants, column="channel", value="broker",
                                      start=START + 4 * WEEK, rate_before=0.95, rate_after=0.10,
                                      rng=SEED + 9)  # fmt: skip
variants = {
    "all labels (no feedback)": None,
    "approved only": Feedback(),
    "explore 5%": Feedback(explore=0.05),
    "explore 5% + IPW": Feedback(explore=0.05, ipw=True),
    "holdout 10%": Feedback(holdout=0.10),
}
LOOP = {"periods": WEEKS, "period_size": PER_WEEK, "window": 10**6, "error_cost": 10.0}
loops = {
    name: mh.loop.simulate(applicants, None, Periodic(1), feedback=fb, **LOOP)
    for name, fb in variants.items()
}

# %%
fig, ax = plt.subplots(figsize=(9, 4))
colours = ["#555555", "#D55E00", "#E69F00", "#009E73", "#56B4E9"]
for (name, run), colour in zip(loops.items(), colours, strict=True):
    ax.plot(run["period"], run["accuracy"], color=colour, marker="o", markersize=3, label=name)
blind = loops["approved only"]
ax.plot(blind["period"], blind["accuracy_approved"], color="#D55E00", linestyle="--",
        label="approved only: accuracy the team measures")  # fmt: skip
ax.axvline(4, color="#999999", linestyle=":", label="brokers become safe")
ax.set(xlabel="week", ylabel="accuracy", ylim=(0.65, 0.95),
       title="Accuracy on all applicants (solid) vs on approved loans (dashed)")  # fmt: skip
_ = ax.legend(fontsize=8, ncol=2, loc="lower left")

# %% [markdown]
# The dashed line is what the team sees: accuracy on the loans whose outcomes come back. It
# stays flat and reassuring. The solid red line is the truth on all applicants: from week 4 the
# model declines about 150 brokers a week, most of whom would now repay, and never finds out,
# because a declined applicant produces no label. The model has gone **blind to the region it
# rejects**, and its own decisions keep it there.

# %%
last = {name: run.iloc[-6:] for name, run in loops.items()}
feedback_table = pd.DataFrame(
    {
        "accuracy, weeks 0-3": {k: v["accuracy"].iloc[:4].mean() for k, v in loops.items()},
        "accuracy, last 6 weeks": {k: v["accuracy"].mean() for k, v in last.items()},
        "measured on approved, last 6": {
            k: v.get("accuracy_approved", v["accuracy"]).mean() for k, v in last.items()
        },
        "random approvals": {k: v.get("explored", pd.Series([0])).sum() for k, v in loops.items()},
        "defaults they cost": {
            k: int(v["explored_defaults"].iloc[-1]) if "explored_defaults" in v else 0
            for k, v in loops.items()
        },
    }
)
feedback_table

# %% [markdown]
# Read the rows:
#
# - **all labels**: the reference. Accuracy dips in week 4 and climbs back slowly: the model
#   retrains on all labels so far, and the defaulting brokers of the first weeks still weigh
#   in (a shorter window would forget them sooner).
# - **approved only**: measured accuracy stays where it was; true accuracy falls about 0.13
#   below its first weeks, and stays about 0.07 below the all-labels model.
# - **explore 5%**: approve a random 5 % of the declined. The explored brokers do get labels
#   (and turn out to repay), but a few good brokers a week against the defaulting brokers of
#   the first weeks move the model only slowly.
# - **explore 5% + IPW**: the same labels, each weighted by one over its chance of being
#   approved (20). Now the explored rows speak for everyone like them, and the model recovers
#   the whole drop (here it even ends a little above the all-labels model: the weights give
#   the recent broker labels more say than the old ones). The price is in the last column:
#   the explored loans that defaulted.
# - **holdout 10%**: a random tenth of applicants is approved whatever the model says, and
#   the model is retrained on that group alone. Unbiased, but small and expensive (a tenth of
#   all applicants approved blindly): it recovers part of the drop and costs the most defaults.
#
# **Experiment.** Give the explore variants `explore=0.02`: fewer defaults paid, and with IPW
# still most of the recovery (noisier). Set `window` in `LOOP` to 3000 (retrain on recent labels
# only): once no broker is left in the window the model forgets brokers altogether, approves
# them again and, by accident, learns the truth; a forgetting model has blind spots of another
# kind.

# %% [markdown]
# **10.3** Exploration is not free. Run the same world with `Feedback(explore=0.02, ipw=True)`
# (keep `LOOP`). How many defaulted loans did its random approvals cost over the 16 weeks?
# Answer with an int.

# %%
answer = None
mh.exercises.check("10.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
cheap = mh.loop.simulate(applicants, None, Periodic(1), feedback=Feedback(explore=0.02, ipw=True),
                         **LOOP)  # fmt: skip
answer = int(cheap["explored_defaults"].iloc[-1])
mh.exercises.check("10.3", answer)

# %% [markdown]
# ## 5 · Slices: a global number that holds while one slice fails
#
# Suppose the shadow step had been skipped and the candidate of section 1 promoted. A week of
# its decisions, with the outcomes, per channel: `mh.deploy.slice_report` gives each slice's
# accuracy, its standard error, and whether it has enough rows (`min_rows`, default 200) to be
# trusted and flagged.

# %%
week = world.sample(3000, start="2025-02-03", freq="3min", rng=SEED + 11)
week["prediction"] = candidate.predict(week)
week["channel_region"] = week["channel"] + "/" + week["region"]
by_channel = mh.deploy.slice_report(week, by="channel")
by_channel

# %% [markdown]
# Global accuracy looks healthy, and the broker slice is failing by more than the 5-point
# tolerance. Finer slices need more care: cut by channel *and* region, and some slices have so
# few rows that their accuracy could be anything.

# %%
fine = mh.deploy.slice_report(week, by="channel_region")
fine.sort_values("accuracy")

# %%
fig, ax = plt.subplots(figsize=(9, 3.8))
shown = fine.drop(index="all").sort_values("accuracy")
colour = np.where(
    shown["failing"], "#D55E00", np.where(shown["trusted"], "#0072B2", "#BBBBBB")
)  # orange: failing
ax.bar(shown.index, shown["accuracy"], yerr=1.96 * shown["se"], color=colour, capsize=3)
ax.axhline(fine.loc["all", "accuracy"], color="#555555", linestyle="--", label="all rows")
ax.set(ylabel="accuracy (95% interval)", ylim=(0.5, 1.0),
       title="Accuracy by channel and region: grey slices have too few rows to trust")  # fmt: skip
ax.tick_params(axis="x", rotation=60, labelsize=8)
ax.legend()
fig.tight_layout()

# %% [markdown]
# The four broker slices are the lowest bars, and none is flagged: cut by region, each has
# fewer than 200 rows, so its interval is wide and the report does not trust it. **Slice too
# finely and a failing slice dissolves into pieces too small to judge**: the channel report
# above caught the brokers, the channel/region report does not. A slice monitor that flags
# every small slice cries wolf (chapter 07's multiple-testing lesson again); one that reports
# only the global number hides the slice that fails. Choose slices that matter to the
# business, at a size the traffic can support.
#
# **Experiment.** Set `min_rows=50`: more slices become "trusted", and the wide intervals of the
# small ones show why that is a gamble.

# %% [markdown]
# **10.4** With `min_rows=90` (instead of 200) and the default tolerance, how many of the
# channel/region slices of `week` are flagged as failing? Answer with an int.

# %%
answer = None
mh.exercises.check("10.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
answer = int(mh.deploy.slice_report(week, by="channel_region", min_rows=90)["failing"].sum())
mh.exercises.check("10.4", answer)

# %% [markdown]
# ## Key takeaways
#
# - Ship in steps, each cheaper to undo than the next: shadow (no user exposed), canary (a few
#   exposed, automatic rollback), A/B test (the business metric), then everyone.
# - A candidate that wins offline can fail a slice its test set lacks; shadow traffic, compared
#   slice by slice, shows where before anyone is exposed.
# - A canary step can only catch what its requests can reveal: big breaches at 1-10 %, small
#   ones late or never. Say how many requests each step needs.
# - Size an A/B test in advance, then read it once (or with an alpha-spending rule). Peeking
#   every day turned a 5 % test into one that "wins" almost one A/A test in four.
# - A model that decides who gets a label learns only from those it approves: accuracy on
#   approved loans stays fine while the declined region goes dark. Buy labels there on purpose
#   (exploration, a holdout) and weight them by their approval probability.
# - Report metrics per slice with their row counts; trust a slice only when it has enough rows.
#
# **In production.**
# *Argo Rollouts*, *Flagger* and *Spinnaker (Kayenta)*: canary rollouts with metric analysis and
# automatic rollback on Kubernetes. *Seldon Core*, *KServe* and *SageMaker* shadow variants:
# mirror live traffic to a candidate model. *LaunchDarkly*, *Unleash*, *Optimizely*,
# *GrowthBook* and *Statsig*: feature flags and A/B testing, several with sequential tests
# (mSPRT, alpha spending) built for peeking. *Evidently* and *Arize*: per-segment model metrics.
# In credit scoring, "reject inference" is the name of the selective-labels problem; contextual
# bandit libraries (*Vowpal Wabbit*) log propensities so that exploration data can be
# re-weighted.
