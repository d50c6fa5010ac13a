"""The catalogue of tracing pitfalls: tiny modules, one category file each.

Add a fixture by writing its class in the matching file, putting
`# lost: <category>` on the line whose behaviour tracing loses (nothing for a
clean control), and appending a Pitfall to that file's PITFALLS list.
"""

from . import (branches, containers, controls, loops, model_code, model_controls, public_reports,
               python_values, state, training)

CATALOGUE = [
    *branches.PITFALLS,
    *loops.PITFALLS,
    *python_values.PITFALLS,
    *training.PITFALLS,
    *state.PITFALLS,
    *containers.PITFALLS,
    *controls.PITFALLS,
    *public_reports.PITFALLS,
    *model_code.PITFALLS,
    *model_controls.PITFALLS,
]
