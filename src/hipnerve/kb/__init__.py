"""Knowledge base: strict models, loader and checks."""

from hipnerve.kb.loader import KnowledgeBase, Problem, load_knowledge, read_knowledge

__all__ = ["KnowledgeBase", "Problem", "load_knowledge", "read_knowledge"]
