"""onestop: the queue, dossier clock and reports of a Vietnamese one-stop office."""

__version__ = "0.1.0"
