"""Tests of the documentation: its build, its reference pages against the code, and its
examples run against a live server (make test-docs). The apps' own tests live beside them."""
