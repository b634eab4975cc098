"""Signals other apps listen to without the risk app knowing them."""

from django.dispatch import Signal

# Sent inside the writing transaction once these people's scores were replaced, with
# `person_ids`: a list, or None when everybody's were (a full `vigil score`).
scores_replaced = Signal()
