"""Dispatch: classifier suggestions, the dispatch catalogue (派单目录), auto-dispatch and corrections."""
