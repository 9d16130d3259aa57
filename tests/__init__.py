"""The toolkit's own tests. A package only so that tests/conftest.py has a name of its own (tests.conftest)."""
