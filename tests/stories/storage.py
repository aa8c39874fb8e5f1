"""Look at what is really in storage, so tests can prove nothing is left orphaned."""

from django.core.files.storage import default_storage


def stored_files(prefix: str = "") -> set[str]:
    found: set[str] = set()

    def walk(path: str) -> None:
        try:
            directories, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        for name in files:
            found.add(f"{path}/{name}" if path else name)
        for directory in directories:
            walk(f"{path}/{directory}" if path else directory)

    walk(prefix)
    return found
