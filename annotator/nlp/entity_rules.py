"""Rule components that correct the statistical NER's suggestions before a person sees them.

Each is a spaCy component so it can be switched off and saved with a pipeline; this module
gathers them, so importing it registers every one (and the `spacy_factories` entry points in
pyproject.toml name it):

- `annotator_titles` (title_rules): a name right after a title ("President X", "Foreign
  Minister X") is a PERSON, and a nationality glued to the title ("Kazakh President") is not
  an ORG.
- `annotator_consistency` (consistency): one label per name within a document, and the short
  form of a full name ("Wang" after "Wang Yi") inherits the full name's label.
- the layout rules, boilerplate, datelines and headlines (layout_rules); span edges
  (boundaries).
"""

from __future__ import annotations

from annotator.nlp.consistency import LabelConsistency as LabelConsistency
from annotator.nlp.consistency import checked_label as checked_label
from annotator.nlp.consistency import make_consistency_component as make_consistency_component
from annotator.nlp.consistency import make_labels_consistent as make_labels_consistent
from annotator.nlp.layout_rules import boilerplate_ranges as boilerplate_ranges
from annotator.nlp.layout_rules import dateline_places as dateline_places
from annotator.nlp.layout_rules import is_boilerplate_line as is_boilerplate_line
from annotator.nlp.title_rules import apply_title_patterns as apply_title_patterns
from annotator.nlp.title_rules import make_titles_component as make_titles_component
from annotator.nlp.title_rules import titles_component as titles_component
