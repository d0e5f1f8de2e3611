"""Drafts of customer updates, apologies, briefs and summaries: context, templates and the quality lint."""
