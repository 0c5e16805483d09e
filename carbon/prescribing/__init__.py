"""Real prescribing data at national scale: import, BNF -> inhaler mapping, footprint, variation.

The package, one concept a module:

* ``formats``: what a PHS or EPD file looks like (column roles, every generation), ``PrescribingImportError``;
* ``files``: a file as published (CSV, gzip, ZIP, Parquet; UTF-8 or Latin-1);
* ``importing``: staging each file, checking every row, the all-or-nothing write;
* ``list_sizes``: registered patients per practice;
* ``mapping``: BNF code -> device, product, doses per inhaler and factor, code changes (a table per import);
* ``footprint``: kgCO2e by board, practice, month, product; totals and coverage;
* ``variation``: funnel plots (over-dispersed), ranked practices, SPC trends, reliever hot spots;
* ``opportunity``: what switching would save;
* ``chapters``: all of prescribing by BNF chapter: inhalers by product footprint, the rest by spend.

Their SQL is in ``sql/*.sql``. The names below are the package's public interface (pages, the CLI,
scenarios and tests use them as ``carbon.prescribing.<name>``).
"""

from carbon.prescribing.chapters import by_chapter as footprint_by_chapter
from carbon.prescribing.formats import (EPD, FORMATS, MAX_PROBLEMS, PHS, Format, PrescribingImportError,
                                        detect_format, problems_frame)
from carbon.prescribing.footprint import (GROUPS, PATIENT_COLUMNS, coverage, data_token, footprint,
                                          has_data, has_list_sizes, totals, unmapped_codes)
from carbon.prescribing.importing import (ImportReport, Progress, files_in_folder, import_files, import_uploads,
                                          imports)
from carbon.prescribing.list_sizes import import_list_sizes, import_list_sizes_upload, list_sizes
from carbon.prescribing.mapping import (DEVICES, DOSES_THRESHOLD, LOW_CARBON_DEVICES, PROPELLANT_DEVICES, mapping,
                                        reference)
from carbon.prescribing.opportunity import SWITCH_CAVEAT, Switching, fraction, matches, switching_opportunity
from carbon.prescribing.variation import (METRICS, RELIEVER_NOTE, Funnel, funnel, hot_spots, outliers, ranked,
                                          trend)

__all__ = [
    "DEVICES", "DOSES_THRESHOLD", "EPD", "FORMATS", "Format", "Funnel", "GROUPS", "ImportReport",
    "LOW_CARBON_DEVICES", "MAX_PROBLEMS", "METRICS", "PHS", "PROPELLANT_DEVICES", "PrescribingImportError",
    "Progress", "SWITCH_CAVEAT", "Switching", "coverage", "data_token", "detect_format",
    "files_in_folder", "footprint", "footprint_by_chapter", "fraction", "funnel", "has_data", "has_list_sizes", "import_files",
    "import_list_sizes", "import_list_sizes_upload", "import_uploads", "imports", "mapping", "outliers",
    "problems_frame", "ranked", "switching_opportunity", "totals", "unmapped_codes", "PATIENT_COLUMNS",
    "list_sizes", "reference", "matches", "RELIEVER_NOTE", "hot_spots", "trend",
]
