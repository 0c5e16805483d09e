"""Theatre records: anaesthetic case logs and purchasing, footprinted through the anaesthetic kinds.

* ``formats``: the layouts case logs come in (the plain template, CSV or Excel; a per-step flow and
  vaporiser log; Draeger Connect's case analysis);
* ``caselog``: check a log set-wise and store it all or nothing (``import_file``, ``import_upload``);
* ``footprint``: per case, theatre, month and agent (``cases``, ``summary``, ``parts``);
* ``purchases``: agent bought over a period, and the gap to what the case logs account for.
"""

from carbon.theatre import footprint, purchases  # noqa: F401  (modules of the package)
from carbon.theatre.caselog import ImportReport, import_file, import_upload, imports, steps
from carbon.theatre.footprint import cases, parts, summary
from carbon.theatre.formats import TheatreError

__all__ = ["ImportReport", "footprint", "purchases", "TheatreError", "cases", "import_file", "import_upload", "imports", "parts", "steps",
           "summary"]
