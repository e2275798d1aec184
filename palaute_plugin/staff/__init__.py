"""The staff's side in the Wagtail admin: the inbox, case screen, bulk actions, dashboard."""
