"""The account directory: the customer list a support team imports, read from CSV or YAML and kept on
the `customers` table, so intake can prefill tier, ARR, CSM and contact and count repeat escalations."""
