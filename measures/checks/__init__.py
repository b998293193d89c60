"""The stalled-measure checks: rules, runs, the daily schedule and the digest mail."""
