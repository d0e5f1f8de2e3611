"""Block Kit for follow-ups: prevention actions, recovery gestures, check-ins."""
