"""Free-form web forms (``wagtail.contrib.forms``) beside the feedback system:
their submissions converted into cases, by hand or automatically."""
