"""Static files in production: WhiteNoise's compressed, hashed copies, with the imports between
our ES modules (static/js) rewritten to the hashed names too. Without that, player.<hash>.js
would import ./lib/dom.js by its plain name, which WhiteNoise caches for a short time only, so
for a while after a deploy a browser could run a new page module with an old helper."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModuleStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
