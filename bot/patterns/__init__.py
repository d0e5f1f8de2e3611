"""Patterns: the same issue reported by several customers within the policy's window, recorded once and
announced once in the escalations channel (`service.PatternService`)."""
