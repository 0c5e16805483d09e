"""Care pathways: what the care of one patient emits, per patient and per year, and where.

``model`` is the document (activities, cohort, files), ``footprint`` the carbon (through the registry
of kinds), ``storage`` the store (templates, people's own pathways, safe saves). Names are
re-exported here, so callers write ``from carbon import pathways as pw; pw.footprint(...)``.
"""

from carbon.pathways.footprint import (FOOTPRINT_COLUMNS, KG_COLUMNS, breakdown, compare, compare_breakdown, errors,
                                       footprint, kind_labels, totals)
from carbon.pathways.model import (ACTIVITY_COLUMNS, MAX_NAME, Activity, Pathway, PathwayError, from_file, from_json,
                                   from_toml, read_template, template_files, templates, templates_dir, to_json,
                                   to_toml)
from carbon.pathways.storage import (PathwayConflict, delete, duplicate, exists, list_pathways, load, resolve, save,
                                     seed_demo, validate)

__all__ = [
    "ACTIVITY_COLUMNS", "FOOTPRINT_COLUMNS", "KG_COLUMNS", "MAX_NAME", "Activity", "Pathway",
    "PathwayConflict", "PathwayError", "breakdown", "compare", "compare_breakdown", "delete", "duplicate", "errors",
    "exists", "footprint", "kind_labels", "from_file", "from_json", "from_toml", "list_pathways", "load", "read_template", "resolve",
    "save", "seed_demo", "template_files", "templates", "templates_dir", "to_json", "to_toml", "totals", "validate",
]
