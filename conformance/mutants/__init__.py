"""Protocol mutants of the fake, and the run that measures which ones the suite kills.

:mod:`.catalogue` lists the mutants, :mod:`.run` applies each to a copy of the repository and
runs a suite against it (conformance/README.md, "Mutants").
"""
