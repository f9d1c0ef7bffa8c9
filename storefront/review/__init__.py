"""The review queue: what the assistant misunderstood, grouped, labelled, and turned into training data.

* :mod:`.misses`: the shopper messages worth a designer's look, read from the tracker store's
  events (ended in the fallback, low confidence, or the last message before a handoff);
* :mod:`.grouping`: similar messages grouped together (TF-IDF and agglomerative clustering);
* :mod:`.scrub`: personal data replaced by placeholders before anything is written;
* :mod:`.leaks`: the held-out splits' near-copy rule, so no label leaks a test message into training;
* :mod:`.labels`: where a label goes (``data/nlu/reviewed.yml``, the proposals file, or ignored).

The console's routes are in :mod:`storefront.handoff.console.review`.
"""
