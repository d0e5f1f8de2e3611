"""Block Kit for the App Home tab."""
