"""Security tests use the page clients of tests/web as well."""

from tests.web.conftest import pages  # noqa: F401  (fixture)
