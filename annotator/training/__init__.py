"""Training spaCy pipelines from the exported annotations, and using them as the suggester.

Importing this package registers the functions trained pipelines name in their config (the
clause suggester), so `spacy.load` of a model trained here works after `import
annotator.training`.
"""

from __future__ import annotations

from annotator.training import registrations as registrations
