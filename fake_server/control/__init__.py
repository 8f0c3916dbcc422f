"""The test control plane: rules a test sets to make calls fail, slow down or break
(:mod:`.faults`), with the service's own error bodies (:mod:`.errors`). Pure: the adapter
carries the actions out."""
