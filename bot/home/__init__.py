"""The App Home dashboard: which escalations a person sees there, and how urgent each one is."""
