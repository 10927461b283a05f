"""plainsight-fleet: scan an organisation's repositories with plainsight on Ray.

The driver (:mod:`plainsight_fleet.cli`) reads the repository list, asks Ray tasks
(:mod:`plainsight_fleet.tasks`) to describe each repository (tips, size), scans the
changed ones whole or in shards, and writes one JSON and one SARIF report per repository
plus ``summary.json``. Everything that touches a repository runs in a task, on whichever
node Ray picks, so repositories need only be reachable from the workers.
"""

__version__ = "0.1.0"
