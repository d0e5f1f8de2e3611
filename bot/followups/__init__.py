"""Follow-ups: what people committed to after the fix (prevention actions, recovery gestures, check-ins),
owned, dated and reminded through the clocks."""
