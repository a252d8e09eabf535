"""Training spaCy pipelines from the exported annotations, to use them as the suggester.

The functions trained pipelines name in their config (the clause suggester) are registered in
`annotator.nlp.registrations`, which spaCy's entry points import, so `spacy.load` of a model
trained here works without importing this package.
"""
