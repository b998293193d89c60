"""The rapporteur's view: assessments, recommendations, gaps and comparisons."""
