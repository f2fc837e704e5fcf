"""The demo city 滨江市: departments, users and their content (written for this project)."""
