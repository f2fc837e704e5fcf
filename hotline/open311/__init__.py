"""Open311 GeoReport v2, read-only and without personal data."""
