# %% [markdown]
# # 09 · Incident lab: one on-call shift, six pages
#
# You are on call for **loan-risk**, the default-risk model of a small lender (the system of
# chapters 01-08). Tonight the pager goes off six times. Each page is a real-looking incident:
# a service log, a monitor report, the outcomes that have arrived so far, a change log, and a
# dashboard. Somewhere in the data is a **root cause** and the **day it started**. Nobody tells
# you which; you find out with the tools you already know, and the self-check tells you whether
# your diagnosis holds.
#
# **Learning goals of this chapter**
#
# 1. Work an incident with a fixed method: service health → input drift → validation failures
#    by field and channel → performance when labels arrive → pin the start date.
# 2. Tell apart causes that page with the same symptom: a unit change upstream, a broken
#    feature join, a label-pipeline bug, concept drift, and a harmless seasonal shift.
# 3. Choose the right clock: the day a request arrived is not the day its label was written.
# 4. Pin a start date from a daily series with a change-point fit, and say how sure you are.
# 5. Write a diagnosis someone else can check: a cause, a start date, the evidence.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import mlsys_helpers as mh

pd.set_option("display.precision", 3)
pd.set_option("display.max_colwidth", 160)
pd.set_option("display.width", 140)
SEED = 9  # every case below is opened with rng=SEED; another seed gives other incidents
cases = {k: mh.incidents.open_case(k, rng=SEED) for k in range(1, mh.incidents.N_CASES + 1)}
print("causes to choose from:", ", ".join(mh.incidents.CATEGORIES))
print(f"a start date passes within ±{mh.incidents.TOLERANCE_DAYS} days of the true one")

# %% [markdown]
# ## The shift
#
# Six pages, in the order they reached you. Each case covers five weeks of live traffic after a
# deployment of the model; the page fires at the end of it ("now" for that case). Read the
# pages: two of them quote the same symptom.

# %%
pages = pd.DataFrame(
    {"opened": [c.opened for c in cases.values()], "page": [c.pager for c in cases.values()]},
    index=pd.Index(cases, name="incident"),
)
pages

# %% [markdown]
# Every case is a frozen object with what an on-call engineer has, and nothing more:
#
# | attribute | what it is |
# |---|---|
# | `pager`, `briefing`, `timeline` | the page, what the team knows, deploys / change log / alerts |
# | `logs` | the service log (`ModelService.log_frame()`): one row per request, source, problems |
# | `requests` | the features as the upstream systems sent them, with `request_id`, `timestamp` |
# | `outcomes` | the outcomes the label pipeline has written so far (`label_time`, `target`) |
# | `monitor` | the daily `Monitor` report: drift per feature and score, accuracy, alerts |
# | `reference`, `schema`, `model` | the validation week, the training schema, the deployed model |
# | `plot()` | a four-panel dashboard |
#
# The answer is **not** in the case. You submit `{"cause": ..., "start": "YYYY-MM-DD"}` to
# `mh.exercises.check("09.k", answer)`; it compares the cause with a salted hash and the start
# with a date derived from the seed, so it can check you without showing you.
#
# ## The runbook
#
# Five steps, in this order, because each one is cheaper than the next and rules causes out:
#
# 1. **Service health.** Is the service answering? Fallbacks, logged problems, the share of
#    applications declined. A broken pipe shows here first.
# 2. **Input drift.** Did the inputs (or the model's scores) move against the reference week?
#    The monitor tests every feature every day (chapter 07).
# 3. **Validation by field and channel.** Which schema checks fail (chapter 04), on which field,
#    for which channel? Drift says *something moved*; validation says *what is wrong with it*.
# 4. **Performance when labels arrive.** Outcomes come 7 days late. Is realised accuracy down,
#    and which kind of error grew? Does the estimate from scores agree?
# 5. **Pin the start.** Pick the daily series that carries the cause and find where it changes.
#
# Five small tools in `mh.incidents` cover the steps; they only reshape what the case already
# holds (read one with `daily_health??`): `daily_health` (step 1), `drift_days` (step 2),
# `daily_failures` (step 3), `labelled` (step 4) and `per_day` (a daily series to pin a start on).


# %%
from mlsys_helpers.incidents import daily_failures, daily_health, drift_days, labelled, per_day

# %% [markdown]
# One note on `daily_failures`: a day has 240 requests, so category shares wobble by about
# ±0.03 from sampling alone; the label-mix check gets a tolerance of 0.1 instead of its default
# 0.05 (chapter 04 tuned it for thousands of rows), or it would cry wolf every other day.
#
# ## Incident 1 · worked example: "the approval rate collapsed"
#
# We work this one together, step by step. First, what the page and the team know:

# %%
case = cases[1]
print(case.pager, "\n")
print(case.briefing)
case.timeline

# %% [markdown]
# A change-log entry is a lead, not a verdict: there are three, and any of them could be a
# coincidence. The dashboard puts the four views of the runbook under each other, day by day.

# %%
_ = case.plot()

# %% [markdown]
# **Step 1 · service health.** Weekly means of the daily health table:

# %%
health = daily_health(case)
health.resample("W-MON", label="left", closed="left").mean().round(3)

# %% [markdown]
# The service is fine: the fallback answers well under 1 % (requests over the latency budget),
# 2-3 % of requests on average log a harmless problem (a number sent as text, a renamed field).
# But the share of applications **declined** creeps up in the third week and jumps in the
# fourth (about 0.30, then 0.36, then 0.64): whatever happened began late in the third week.
# The model is deciding differently.
#
# **Step 2 · input drift.** Which inputs moved, and since when?

# %%
drift_days(case)

# %% [markdown]
# One feature, `income`, drifted on every day from a certain day on, and so did the model's
# score. (A single drifted day elsewhere would be the false-alarm rate of testing nine columns
# daily: chapter 07.) **Step 3 · validation by field and channel.** Drift says income moved;
# validation says how.

# %%
failures = daily_failures(case)
failures.groupby(["check", "column"]).agg(days=("day", "size"), first=("day", "min"))

# %%
after = case.requests["timestamp"] >= failures["day"].min()
by_channel = case.requests[after].groupby("channel")["income"].median()
before = case.requests[~after].groupby("channel")["income"].median()
pd.DataFrame({"median income before": before, "median income after": by_channel}).round(1)

# %% [markdown]
# The `range` check on `income` fails every day from the same day, and only the **online**
# channel changed: its median income went from 52,410 to 52.4. A factor of exactly
# 1000 is a unit: the online upstream started sending income in thousands. The service's own
# range check let it through (its margin reaches below zero, chapter 01), and to the model an
# income of 52 dollars is a near-certain default.
#
# **Step 4 · performance when labels arrive.** The outcomes confirm the damage, and say where:

# %%
outcomes = labelled(case)
outcomes = outcomes.assign(affected=outcomes["timestamp"] >= failures["day"].min())
outcomes.groupby(["affected", "channel"])["correct"].mean().unstack().round(3)

# %% [markdown]
# Accuracy collapsed on online applications only (declining good customers), and the
# *estimated* accuracy on the dashboard even went *up*: the model is very sure about incomes of
# 52 dollars. Confidence is no evidence when the inputs are wrong.
#
# **Step 5 · pin the start.** The series that carries the cause is the daily median income of
# online requests. `mh.incidents.change_start` fits "one level, then another" at every possible
# split and returns the first day of the new level (a least-squares change point).

# %%
online = case.requests[case.requests["channel"] == "online"]
median_income = per_day(online["income"], online["timestamp"])
start = mh.incidents.change_start(median_income)
print(f"first day of the new level: {start:%Y-%m-%d}")
print(f"first day the range check failed: {failures['day'].min():%Y-%m-%d}")

fig, ax = plt.subplots(figsize=(9, 3))
ax.semilogy(median_income.index, median_income, marker="o", color="#0072B2")
ax.axvline(start, color="#D55E00", linestyle="--", label="change_start")
ax.set(xlabel="day", ylabel="median income (log scale)", title="Online applications: income")
fig.autofmt_xdate()
_ = ax.legend()

# %% [markdown]
# The two agree to within a day. (When they differ by one, the change started late in a day:
# that day is a mixture of both levels.) This is why the lab accepts ±3 days: a start date is an
# estimate from daily data, and you should be able to say how you got it.
#
# **09.1** Submit the diagnosis of incident 1: `{"cause": ..., "start": "YYYY-MM-DD"}`, with the
# cause one of `mh.incidents.CATEGORIES`.

# %%
answer = None
mh.exercises.check("09.1", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
ratio = median_income[start:].median() / median_income[:start].iloc[:-1].median()
only_range = set(failures["check"]) == {"range"} and set(failures["column"]) == {"income"}
cause = "upstream_unit_change" if only_range and 1e-4 < ratio < 1e-2 else "no_incident"
answer = {"cause": cause, "start": f"{start:%Y-%m-%d}"}
mh.exercises.check("09.1", answer)

# %% [markdown]
# ## Incident 2 · "accuracy on matured loans fell"
#
# Your turn. The same five steps; the tools are above. One thing to keep in mind: outcomes have
# two dates, `timestamp` (when the application came in) and `label_time` (when the collections
# pipeline wrote the outcome, 7 days later). A problem in the *world* shows by application day; a
# problem in the *label pipeline* shows by the day the label was written.

# %%
case2 = cases[2]
print(case2.pager)
case2.timeline

# %%
_ = case2.plot()

# %% [markdown]
# **Experiment.** Run `drift_days(case2)` and `daily_health(case2)` first: what can you rule
# out? Then compare `per_day(lab["target"], lab["timestamp"])` with
# `per_day(lab["target"], lab["label_time"])` for `lab = labelled(case2)`: which one changes
# as a clean step?
#
# **09.2** Your diagnosis of incident 2. Which clock does "start" use here? The first day the
# cause was at work, where it happened: if the fault is in the label pipeline, the day it began
# writing wrong outcomes (a day of `label_time`), not the application day of the first loan it
# mislabelled, which lies 7 days earlier.

# %%
answer = None
mh.exercises.check("09.2", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
lab = labelled(case2)
quiet_inputs = drift_days(case2)["days drifted"].max() <= 2  # a day or two: false alarms
share_written = per_day(lab["target"], lab["label_time"])  # recorded default share
start = mh.incidents.change_start(share_written)
errors = lab[~lab["correct"]]
one_sided = (errors.loc[errors["label_time"] >= start, "declined"] == 1).mean()
print(f"recorded default share: {share_written[:start].iloc[:-1].mean():.2f} before, "
      f"{share_written[start:].mean():.2f} after {start:%Y-%m-%d}")  # fmt: skip
print(f"errors after it that are 'declined, recorded repaid': {one_sided:.2f}")
cause = "label_pipeline_bug" if quiet_inputs and one_sided > 0.8 else "concept_drift"
answer = {"cause": cause, "start": f"{start:%Y-%m-%d}"}
mh.exercises.check("09.2", answer)

# %% [markdown]
# ## Incident 3 · "accuracy is sliding"
#
# The same symptom as incident 2, a different feel: "slipping for a while". A gradual change
# has no clean step; to pin where it *begins*, fit a ramp with
# `mh.incidents.change_start(series, gradual=True)` (a flat level, then a straight slope to a new
# level), not a step, which would land in the middle of the slope.

# %%
case3 = cases[3]
print(case3.pager)
case3.timeline

# %%
_ = case3.plot()

# %% [markdown]
# **Experiment.** On the dashboard, compare realised and estimated accuracy. In chapter 07 the
# estimate from scores followed covariate shift and missed one kind of drift: which?
#
# **09.3** Your diagnosis of incident 3.

# %%
answer = None
mh.exercises.check("09.3", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
lab = labelled(case3)
quiet_inputs = drift_days(case3)["days drifted"].max() <= 2
accuracy = per_day(lab["correct"].astype(float), lab["timestamp"])
start = mh.incidents.change_start(accuracy, gradual=True)
share = per_day(lab["target"], lab["timestamp"])
errors = lab[(~lab["correct"]) & (lab["timestamp"] >= start)]
both_ways = 0.2 < (errors["declined"] == 1).mean() < 0.8
print(f"accuracy {accuracy[:start].iloc[:-1].mean():.2f} -> {accuracy.tail(5).mean():.2f}; "
      f"default share {share[:start].iloc[:-1].mean():.2f} -> {share.tail(5).mean():.2f}")  # fmt: skip
cause = "concept_drift" if quiet_inputs and both_ways else "label_pipeline_bug"
answer = {"cause": cause, "start": f"{start:%Y-%m-%d}"}
mh.exercises.check("09.3", answer)

# %% [markdown]
# ## Incident 4 · "the drift monitor will not stop"
#
# Ten alerts in ten days. Before you wake anyone: is anything *wrong*? A drift alert says the
# inputs differ from the reference week; whether that hurts is a question for step 4.

# %%
case4 = cases[4]
print(case4.pager)
case4.timeline

# %%
_ = case4.plot()

# %% [markdown]
# **09.4** Your diagnosis of incident 4. (A harmless change still has a cause and a start.)

# %%
answer = None
mh.exercises.check("09.4", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
drifted = drift_days(case4).query("`days drifted` > 2").index.tolist()
failed = daily_failures(case4).query("`check` != 'label_mix'")  # bad values, not a new mix
lab = labelled(case4)
accuracy = per_day(lab["correct"].astype(float), lab["timestamp"])
online_share = per_day(case4.requests["channel"].eq("online").astype(float),
                       case4.requests["timestamp"])  # fmt: skip
start = mh.incidents.change_start(online_share, gradual=True)
change = accuracy[start:].mean() - accuracy[:start].iloc[:-1].mean()
print(f"drifted: {drifted}; other failed checks: {len(failed)}; accuracy change {change:+.3f}")
harmless = drifted == ["channel"] and len(failed) <= 2 and abs(change) < 0.03
answer = {"cause": "seasonal_covariate_shift" if harmless else "concept_drift",
          "start": f"{start:%Y-%m-%d}"}  # fmt: skip
mh.exercises.check("09.4", answer)

# %% [markdown]
# ## Incident 5 · "warnings in the service log"
#
# The service log counts problems per request. Read them: the text of every logged problem,
# counted, is one line of pandas,
# `case5.logs["problems"].str.split("; ").explode().value_counts().head()`. Then ask which
# field, which channel, since when.

# %%
case5 = cases[5]
print(case5.pager)
case5.timeline

# %%
_ = case5.plot()

# %% [markdown]
# **Experiment.** The input monitor is quiet although something is plainly wrong. Look at how
# `mh.detect.compare` treats missing values in numeric columns (its docstring, chapter 07):
# which check *would* see this?
#
# **09.5** Your diagnosis of incident 5.

# %%
answer = None
mh.exercises.check("09.5", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
failed = daily_failures(case5).query("`check` == 'null_rate'")
column = failed["column"].mode().iloc[0]
missing = per_day(case5.requests[column].isna().astype(float), case5.requests["timestamp"])
start = mh.incidents.change_start(missing)
after = case5.requests[case5.requests["timestamp"] >= start]
by_channel = after[column].isna().groupby(after["channel"]).mean()
print(f"null_rate failed on {column!r} on {len(failed)} days; missing after {start:%Y-%m-%d}:")
print(by_channel.round(3).to_string())
one_channel = (by_channel > 0.5).sum() == 1
answer = {"cause": "broken_feature_join" if one_channel else "upstream_unit_change",
          "start": f"{start:%Y-%m-%d}"}  # fmt: skip
mh.exercises.check("09.5", answer)

# %% [markdown]
# ## Incident 6 · "approvals are up, and so are missed payments"
#
# The last page of the night. Read the timeline carefully: not every change is to the data.
# Everything in the case is what it always was, with one exception: `case6.model` is the model
# that was validated and deployed when the case began; the service log records what actually
# answered each request.

# %%
case6 = cases[6]
print(case6.pager)
case6.timeline

# %%
_ = case6.plot()

# %% [markdown]
# **Experiment.** Run the runbook's first four steps. Which of them see a problem, and does
# `labelled(case6)` agree with the page about accuracy? (It scores the outcomes with
# `case6.model`.) Then put the decisions in `case6.logs["prediction"]` next to
# `case6.model.predict(case6.requests[list(case6.features)])`.
#
# **09.6** Your diagnosis of incident 6.

# %%
answer = None
mh.exercises.check("09.6", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
validated = case6.model.predict(case6.requests[list(case6.features)])
served = pd.to_numeric(case6.logs["prediction"], errors="coerce").to_numpy()
parted = per_day(pd.Series((served != validated).astype(float)), case6.requests["timestamp"])
start = mh.incidents.change_start(parted)
quiet_inputs = drift_days(case6).drop(index="prediction")["days drifted"].max() <= 2
print(f"decisions unlike the validated model's: {parted[:start].iloc[:-1].mean():.3f} before, "
      f"{parted[start:].mean():.3f} from {start:%Y-%m-%d}; inputs quiet: {quiet_inputs}")  # fmt: skip
answer = {"cause": "bad_rollout" if quiet_inputs and parted[start:].mean() > 0.1
          else "concept_drift", "start": f"{start:%Y-%m-%d}"}  # fmt: skip
mh.exercises.check("09.6", answer)

# %% [markdown]
# ## The postmortem table
#
# Write down each diagnosis with its evidence: the habit that turns a night of firefighting
# into something the team can learn from. Incident 1 is filled in; fill in the others from your
# own answers (double-click this cell to edit it).
#
# | incident | cause | start | the step that found it | the series that pinned the start | what to do next |
# |---|---|---|---|---|---|
# | 1 | upstream unit change | the day online income fell 1000-fold | validation: `range` on `income`, online only | median income of online requests | fix the upstream; give the schema a domain range (income > 1000) |
# | 2 | | | | | |
# | 3 | | | | | |
# | 4 | | | | | |
# | 5 | | | | | |
# | 6 | | | | | |
#
# **Experiment.** Change `SEED` in the first code cell and run everything again: new dates, new
# numbers, the same kinds of incidents. Do the solution cells still find the answers? (The
# tests of this chapter check that they do for several seeds.)

# %% [markdown]
# ## Key takeaways
#
# - Work incidents with a method: health → input drift → validation by field and channel →
#   labels → start date. Each step is cheap and rules causes out before the next.
# - The same page can have different causes ("accuracy fell" fits a label bug and a drift). The
#   evidence that separates them: what changed (inputs, labels, the relation between them), how
#   (a step or a ramp), and which errors grew.
# - Use the right clock: a world change shows by the day of the application, a label-pipeline
#   bug by the day the label was written.
# - A green service and a confident model prove nothing: in incident 1 both looked fine while
#   good online customers were refused. Drift tests skip missing values; null-rate checks do not.
# - Check which model answered: a rollout is a change too. In incident 6 the inputs, the labels
#   and the validated model were all fine; the model serving the requests was not.
# - Not every alert is an incident. A harmless shift in who applies needs a better alert rule,
#   not a new model.
# - A diagnosis is a cause, a start date and the evidence, written so that someone can check it.
#
# **In production.**
# *PagerDuty* and *Opsgenie*: paging, escalation and on-call rotations. *Grafana* and *Datadog*:
# dashboards and alert rules over service metrics. *Evidently*, *NannyML*, *WhyLabs* and *Arize*:
# drift and performance monitoring for models, with label-delay handling. *Great Expectations*
# and *dbt tests*: data checks in the pipeline, where broken inputs should be caught first.
# *Incident.io* and *Jeli*: incident timelines and postmortems. Google's SRE book: the
# blameless-postmortem practice this table imitates.
#
# Go back to chapter 00's map: every station you met is on it, and every incident tonight was one
# of them failing. Incident 6 was the step between training and serving; chapter 10 is about
# shipping a model safely (shadow, canary, A/B tests) and the feedback loops that fool you.
