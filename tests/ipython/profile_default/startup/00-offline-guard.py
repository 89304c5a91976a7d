# Loaded by every notebook kernel that `make test` and `make notebooks` start (IPYTHONDIR points
# here): the workbook must run without a network, so any non-local connection raises.
import mlsys_helpers._offline

mlsys_helpers._offline.install()
del mlsys_helpers
