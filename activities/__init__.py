"""Every side effect: LLMs, embeddings, Chroma, web search, blobs, document text.

The workers register ``activities.registry.build_graph_activities(settings)`` and
``activities.registry.build_ingest_activities(settings)``.
"""
