"""What every process tells its operators: metrics, traces and logs (and the price table
that turns tokens into an estimated cost). Imports none of our other packages."""
