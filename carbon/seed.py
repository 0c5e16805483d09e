"""Demo content seeded into a new store: the shipped pathway templates and the demo scenario.

Each feature module that ships demo content defines ``seed_demo(store)``, idempotent (it adds
what is missing and never touches a user's own rows). ``open_store`` calls ``seed`` after the
factor library is loaded.
"""

from __future__ import annotations

import importlib

SEEDERS = ("carbon.pathways", "carbon.scenarios")


def seed(store) -> None:
    for name in SEEDERS:
        importlib.import_module(name).seed_demo(store)
