"""A city's resident feedback system as a reusable Wagtail app."""
