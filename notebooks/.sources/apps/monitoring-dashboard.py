# %% [markdown]
# # Monitoring dashboard
#
# The same lender's model in production, watched window by window by a monitor: pick the
# features to watch (shift- or ctrl-click), the window size, a statistical test (`ks`, with
# `alpha` and a multiple-testing `correction`) or a distance (`psi`, `wasserstein`, ... with a
# `threshold`), and how many flagged windows in a row raise an alert. The top plot shows each
# watched column's drift statistic per window (filled where it drifted) and the alerts; the
# bottom one the real accuracy next to the accuracy estimated without labels.
#
# *Try:* `method` → `wasserstein`, then `window` → 250 (false alerts appear before the change);
# `drift` → `concept` (accuracy falls, the inputs and the estimate do not move). This page is
# chapter 07's dashboard of the mlsys-workbook.

# %%
import mlsys_helpers as mh

mh.widgets.make_monitoring_dashboard()
