"""The additive counts of DESIGN section 6 and the cohort each count belongs to."""

from __future__ import annotations

# cohort (the first count of its facts) → the counts a fact of that cohort carries, in order
COHORTS: dict[str, tuple[str, ...]] = {
    "received": ("received", "citizens", "resolved_on_call"),
    "dispatched": ("dispatched", "signed_on_time", "returned", "responded"),
    "due": ("due", "replied", "replied_on_time", "overdue"),
    "to_follow_up": ("to_follow_up", "followed_up"),
    "valid_follow_ups": ("valid_follow_ups", "solved", "partly_solved", "satisfied", "basically_satisfied",
                         "dissatisfied", "reopened", "repeat_dissatisfied"),
    "urged": ("urged",),
    "supervised": ("supervised",),
    "online_ratings": ("online_ratings", "online_satisfied", "online_basically_satisfied", "online_dissatisfied"),
}
COUNTS = ("received", "citizens", "resolved_on_call", "dispatched", "signed_on_time", "returned", "responded",
          "due", "replied", "replied_on_time", "overdue", "to_follow_up", "followed_up", "valid_follow_ups",
          "solved", "partly_solved", "satisfied", "basically_satisfied", "dissatisfied", "reopened",
          "repeat_dissatisfied", "urged", "supervised", "online_ratings", "online_satisfied",
          "online_basically_satisfied", "online_dissatisfied")
DUE = "due"  # the one cohort that counts only once its moment has passed (deadlines in the future are not due)
assert sorted(COUNTS) == sorted(c for keys in COHORTS.values() for c in keys)
