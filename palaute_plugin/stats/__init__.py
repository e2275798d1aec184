"""Statistics: a daily aggregate of the cases (``models``, ``aggregates``), the
figures read from it (``figures``), server-rendered SVG charts (``charts``) and the
report under Wagtail's Reports menu with its exports (``views``)."""
