# %% [markdown]
# # Drift lab
#
# A lender's model scores a stream of 6,000 loan applications. Somewhere in the stream the
# world changes: choose **how** (the kind of drift: the inputs move, the default rate moves, or
# the meaning of a feature changes), **when** and **how strongly**. Two monitors watch the
# stream in windows of 250 rows: a KS test on the drifted feature (needs no labels) and
# Page-Hinkley on the model's errors (needs labels). Watch which of them notices, how late, and
# what happens to accuracy.
#
# *Try:* covariate drift of `debt_ratio` with magnitude 1 (alarms, no harm), then `concept`
# with magnitude 1 (harm, and the input monitor stays silent). This page is chapter 06's lab of
# the mlsys-workbook; the notebook explains it in full.

# %%
import mlsys_helpers as mh

mh.widgets.make_drift_lab()
