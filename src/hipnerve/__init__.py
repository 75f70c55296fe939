"""hipnerve: decision support and education for hip pain with numbness, tingling or weakness in the leg.

It is not a diagnosis. It screens for red flags first, says how urgently to get care and why,
and ranks likely causes with the evidence behind each.
"""

__version__ = "0.1.0"
