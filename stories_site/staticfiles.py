"""Static files in production: WhiteNoise's compressed, hashed copies, with the imports between
our ES modules (static/js) rewritten to the hashed names too. Without that, player.<hash>.js
would import ./lib/dom.js by its plain name, which WhiteNoise caches for a short time only, so
for a while after a deploy a browser could run a new page module with an old helper.

`collectstatic` is part of every deploy, and most of its time went to compressing files nobody
downloads compressed (measured: 64 s, now about 14 s):

* only the hashed copies are kept: every page names its files through `{% static %}`, so a
  plain name is never asked for, and compressing both copies doubled the work;
* source maps (`.map`) are stored but not compressed: only a developer's tools fetch them;
* Redoc, which drf-spectacular's sidecar ships next to Swagger UI, is not collected: the API
  docs are Swagger UI (stories_site/urls.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.staticfiles import finders
from django.core.files.storage import Storage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModuleStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    keep_only_hashed_files = True  # WhiteNoise's WHITENOISE_KEEP_ONLY_HASHED_FILES, for this storage

    def create_compressor(self, **kwargs) -> Compressor:
        skipped = kwargs.get("extensions") or Compressor.SKIP_COMPRESS_EXTENSIONS
        return super().create_compressor(**{**kwargs, "extensions": (*skipped, "map")})


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """The apps' static files, without what the site never serves (collectstatic lists files
    through the finders)."""

    never_served = ("redoc",)

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, Storage]]:
        return super().list([*(ignore_patterns or ()), *self.never_served])
