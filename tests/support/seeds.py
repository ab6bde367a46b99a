"""Where the seeds are: ``shared/seeds/`` beside the clone (CI, /work/main) or beside a parent (a worktree)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def seed_file(name):
    """The seed ``name`` from the nearest ``shared/seeds/`` beside the repository or one of its parents.

    Returns the path where it would be beside the repository when no copy exists, so that a skip
    can say where it was looked for.
    """
    for folder in ROOT.parents:
        candidate = folder / "shared" / "seeds" / name
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "seeds" / name
