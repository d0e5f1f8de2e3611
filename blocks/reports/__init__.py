"""Block Kit for closing the loop: recovery plan, report prompts, metrics, the digest."""
