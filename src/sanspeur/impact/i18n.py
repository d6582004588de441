"""Strings shown by other modules that this app adds: the labels of its two roles (declared in
accounts/roles.py, whose catalogue this app does not edit). Marked here so that this app's
catalogue carries their translations."""

from django.utils.translation import gettext_noop

ROLE_LABELS = (gettext_noop("Statistician"), gettext_noop("Statistics approver"))
