"""Developer and operator tooling: the launcher, the model cache, NLU evaluation, checks.

Nothing here runs inside the Rasa server or the action server; it may import every other package.
"""
