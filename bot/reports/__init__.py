"""Closing the loop, read from the record: recovery plan, post-incident report, seed 004 export, metrics
and their chart, red flags, the weekly digest."""
