"""Every side effect of a graph run: LLMs, embeddings, Chroma, web search, blobs.

The worker registers ``activities.registry.build_graph_activities(settings)``.
"""
