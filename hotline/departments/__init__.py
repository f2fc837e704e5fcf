"""Departments (承办单位), users and their roles, and the dispatch catalogue (派单目录)."""
