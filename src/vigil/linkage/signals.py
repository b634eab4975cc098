"""Signals other apps listen to without the linkage app knowing them."""

from django.dispatch import Signal

# Sent inside the writing transaction when the person these allegations are attributed to
# changed (linked, re-linked, unlinked), with `allegation_ids`: a set.
subjects_changed = Signal()
