"""Residents' photos: ``images`` checks and cleans files, ``store`` keeps them with a
case, ``storage`` is where they are kept (private)."""
