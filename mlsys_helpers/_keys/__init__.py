"""Answer checkers for the exercises, one module per chapter (``chNN.py``, each defining a tuple
``EXERCISES`` of :class:`mlsys_helpers.exercises.Exercise`). Keys are computed from the helper API
or compared by hash where the answer must stay secret; never typed results of a notebook run."""
