"""Full-text search: the index, its sync with the database, and the search pages.

Map: ``schema``/``analysis`` (fields and analyzers), ``documents`` + ``sources_*`` (which
rows become which documents), ``backend`` (index directories, writer lock, searchers),
``indexing`` (rebuild, apply, check), ``queue`` (capture at flush, drain), ``query`` /
``results`` / ``suggest`` (reading), ``querylog``, ``views``, ``cli``; ``codec``,
``column_arrays`` and ``docsets`` (speed), ``whoosh_fixes`` (a Whoosh bug, fixed).
"""

from tradeportal.search import whoosh_fixes  # noqa: F401  (before any search runs)
