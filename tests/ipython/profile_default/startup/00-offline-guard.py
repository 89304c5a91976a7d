# Loaded by every notebook kernel that the tests and `make notebooks` start (IPYTHONDIR points
# here). The workbook must run without a network, so any non-local connection raises; figures
# use matplotlib's inline backend (Agg rendering) even if MPLBACKEND=Agg leaked in from a shell,
# which would silently drop every figure from the stored notebooks.
import os

import mlsys_helpers._offline

mlsys_helpers._offline.install()
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
del mlsys_helpers, os
